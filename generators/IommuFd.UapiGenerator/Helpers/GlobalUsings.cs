// Ioc.cs is shared with the runtime library, which relies on implicit usings.
global using System;
