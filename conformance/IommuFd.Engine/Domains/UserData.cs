namespace IommuFd.Engine.Domains;

/// <summary>struct iommu_user_data: driver data of HWPT_ALLOC, by type, user pointer and length.</summary>
internal readonly record struct UserData(uint Type, ulong Uptr, uint Length)
{
    /// <summary>iommu_copy_struct_from_user into <paramref name="destination"/> (the driver's struct):
    /// the type must be <paramref name="type"/> and the length at least <paramref name="minLength"/>
    /// (offsetofend of the first version's last member) and at most the struct (EINVAL, not E2BIG);
    /// a shorter struct is zero-extended; an unreadable one is EFAULT.</summary>
    public int CopyStruct(Span<byte> destination, uint type, int minLength)
    {
        if (Type != type || Length < minLength || Length > destination.Length)
            return -Errno.EINVAL;
        destination.Clear();
        return UserAccess.CopyFromUser(destination[..(int)Length], Uptr) != 0 ? -Errno.EFAULT : 0;
    }
}
