// The engine returns negated errno ints: their names and numbers come from the one errno table.
global using Errno = IommuFd.Interop.ErrnoValues;
