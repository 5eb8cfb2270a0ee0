global using NUnit.Framework;
global using IommuFd.Testing;
