namespace IommuFd.UapiGenerator.Tests.Infrastructure;

/// <summary>Where the repository, its golden files and the fetched headers of the LTS kernel (.uapi/lts) are.</summary>
internal static class RepoPaths
{
    public const string FetchMessage = "Linux uAPI headers are missing: run scripts/fetch-uapi-headers.sh";

    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "IommuFdConformance.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root (IommuFdConformance.sln) not found above " + TestContext.CurrentContext.TestDirectory);
        }
    }

    public static string GoldenDirectory => Path.Combine(Root, "generators", "IommuFd.UapiGenerator.Tests", "Golden");

    public static string DataDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "Data");

    /// <summary>A fetched header, e.g. <c>include/uapi/linux/iommufd.h</c>; fails the test with the
    /// fetch-script message when the headers are not there.</summary>
    public static string Header(string relative)
    {
        var path = Path.Combine(Root, ".uapi", "lts", relative);
        if (!File.Exists(path)) Assert.Fail(FetchMessage + $" ({path} not found)");
        return path;
    }

    public const string IommufdH = "include/uapi/linux/iommufd.h";
    public const string VfioH = "include/uapi/linux/vfio.h";
    public const string IommufdTestH = "drivers/iommu/iommufd/iommufd_test.h";
}
