global using IommuFd.Testing;
