global using IommuFd.Testing;
// The suite compares errno ints: their names and numbers come from the one errno table.
global using Errno = IommuFd.Interop.ErrnoValues;
