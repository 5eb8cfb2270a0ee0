using Microsoft.Win32.SafeHandles;

namespace Fiemap.Sample.Tests;

/// <summary>The generated structs against the running kernel: FS_IOC_FIEMAP maps a file just
/// written, and FS_IOC_FSGETXATTR reads its inode. The file lies beside the test assembly (a disk
/// file system; tmpfs has no extents).</summary>
public sealed class FileExtentsKernelTests
{
    private const int Chunk = 64 * 1024;
    private string _path = "";

    [SetUp]
    public void CreateFile()
    {
        _path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"fiemap-{Guid.NewGuid():N}.bin");
        var data = new byte[3 * Chunk];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(_path, data);
    }

    [TearDown]
    public void DeleteFile() => File.Delete(_path);

    private static SafeFileHandle Open(string path) => File.OpenHandle(path, FileMode.Open, FileAccess.Read);

    [Test]
    public void Fiemap_covers_the_file_and_ends_with_the_last_extent()
    {
        using SafeFileHandle file = Open(_path);
        IReadOnlyList<Extent> extents;
        try
        {
            extents = FileExtents.Map(file);
        }
        catch (IOException e) when (e.HResult == 95)
        {
            Assert.Ignore($"the file system under {_path} does not support FIEMAP (EOPNOTSUPP)");
            return;
        }
        TestContext.Out.WriteLine(string.Join("\n", extents));
        Assert.Multiple(() =>
        {
            Assert.That(extents, Is.Not.Empty);
            Assert.That(extents[0].Logical, Is.EqualTo(0UL));
            Assert.That(extents[^1].IsLast, Is.True, "the last extent carries FIEMAP_EXTENT_LAST");
            Assert.That(extents.Sum(e => (long)e.Length), Is.GreaterThanOrEqualTo(3 * Chunk));
            Assert.That(extents.Take(extents.Count - 1).Any(e => e.IsLast), Is.False);
        });
    }

    [Test]
    public void Fiemap_of_a_closed_handle_is_refused_before_the_kernel()
    {
        SafeFileHandle file = Open(_path);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => FileExtents.Map(file));
    }

    [Test]
    public void Fsgetxattr_reads_the_inode()
    {
        using SafeFileHandle file = Open(_path);
        InodeAttributes attributes;
        try
        {
            attributes = FileExtents.Attributes(file);
        }
        catch (IOException e) when (e.HResult == 25)
        {
            Assert.Ignore($"the file system under {_path} does not implement FS_IOC_FSGETXATTR (ENOTTY)");
            return;
        }
        // A new file has no extent size hint and the default project.
        Assert.Multiple(() =>
        {
            Assert.That(attributes.ExtentSize, Is.EqualTo(0u));
            Assert.That(attributes.ProjectId, Is.EqualTo(0u));
        });
    }
}
