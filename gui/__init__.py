"""KernelScope's Qt front end: the main window, one package per tab, shared widgets."""
