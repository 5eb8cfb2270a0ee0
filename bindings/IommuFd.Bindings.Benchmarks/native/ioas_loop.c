/* The C side of the bindings-against-C benchmark: the same loops of IOMMU_IOAS_MAP, UNMAP and COPY
 * that the C# side runs, written as a C userspace driver would write them. Built at build time by
 * the benchmark's project file and called in-process, so both sides run on the same fd, IOAS and
 * memory, in alternating rounds. Each loop returns its elapsed nanoseconds, or -errno. */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/iommufd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Maps [user_va, +length) at iova + i * length for i in [0, count). */
int64_t ioas_loop_map(int fd, uint32_t ioas, uint64_t user_va, uint64_t length, uint64_t iova, int count)
{
	int64_t start = now_ns();

	for (int i = 0; i < count; i++) {
		struct iommu_ioas_map map = {
			.size = sizeof(map),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas,
			.user_va = user_va,
			.length = length,
			.iova = iova + (uint64_t)i * length,
		};
		if (ioctl(fd, IOMMU_IOAS_MAP, &map))
			return -errno;
	}
	return now_ns() - start;
}

/* Unmaps [iova + i * length, +length) for i in [0, count). */
int64_t ioas_loop_unmap(int fd, uint32_t ioas, uint64_t length, uint64_t iova, int count)
{
	int64_t start = now_ns();

	for (int i = 0; i < count; i++) {
		struct iommu_ioas_unmap unmap = {
			.size = sizeof(unmap),
			.ioas_id = ioas,
			.iova = iova + (uint64_t)i * length,
			.length = length,
		};
		if (ioctl(fd, IOMMU_IOAS_UNMAP, &unmap))
			return -errno;
	}
	return now_ns() - start;
}

/* Copies [src_iova, +length) of the IOAS to iova + i * length for i in [0, count). */
int64_t ioas_loop_copy(int fd, uint32_t ioas, uint64_t src_iova, uint64_t length, uint64_t iova, int count)
{
	int64_t start = now_ns();

	for (int i = 0; i < count; i++) {
		struct iommu_ioas_copy copy = {
			.size = sizeof(copy),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
			.dst_ioas_id = ioas,
			.src_ioas_id = ioas,
			.length = length,
			.dst_iova = iova + (uint64_t)i * length,
			.src_iova = src_iova,
		};
		if (ioctl(fd, IOMMU_IOAS_COPY, &copy))
			return -errno;
	}
	return now_ns() - start;
}
