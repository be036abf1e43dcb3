"""Private numpy fast paths behind engine.conv.correlate: direct bands, BLAS rows,
separable taps, FFT."""
