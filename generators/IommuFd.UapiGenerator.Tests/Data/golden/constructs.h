/* SPDX-License-Identifier: MIT */
/* Representative constructs for the generator's golden test (written for this project). */
#ifndef _CONSTRUCTS_H
#define _CONSTRUCTS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DEMO_TYPE	(';')
#define DEMO_BASE	100
#define DEMO_FLAG_A	(1 << 0)	/* first flag */
#define DEMO_FLAG_HIGH	(1 << 31)
#define DEMO_MASK	(DEMO_FLAG_A | \
			 (1 << 4))
#define DEMO_BIG	(1ULL << 40)
#define DEMO_NEG	-1
#define DEMO_CAST	((__u16)0x12345)
#define DEMO_BIT(n)	(1U << (n))
#define DEMO_BIT5	DEMO_BIT(5)
#define DEMO_BITUL	_BITUL(3)
#define DEMO_STRING	"demo"
#define DEMO_TERNARY	(DEMO_BASE > 50 ? 2 : 3)
#if defined(DEMO_BASE) && DEMO_BASE >= 100
#define DEMO_CONDITIONAL 1
#else
#define DEMO_CONDITIONAL 0
#endif
#ifdef __KERNEL__
#define DEMO_KERNEL_ONLY 1
#endif

/**
 * enum demo_flags - Flags of a demo object
 * @DEMO_F_READ: Readable
 * @DEMO_F_WRITE: Writable
 */
enum demo_flags {
	DEMO_F_READ = 1 << 0,
	DEMO_F_WRITE = 1 << 1,
};

enum demo_kind {
	DEMO_KIND_NONE = 0,
	DEMO_KIND_ONE,
	DEMO_KIND_TWO,
};

enum demo_signed {
	DEMO_S_NEG = -2,
	DEMO_S_POS = 7,
};

enum {
	DEMO_ANON_START = 1UL << 24,
	DEMO_ANON_WIDE = 0x100000000ULL,
};

/**
 * struct demo_inner - A nested struct used by value
 * @a: first
 * @b: second
 */
struct demo_inner {
	__u32 a;
	__u16 b;
};

/**
 * struct demo_cmd - ioctl(DEMO_CMD)
 * @size: sizeof(struct demo_cmd)
 * @flags: Combination of enum demo_flags
 * @name: A <name> & more
 * @inner: Inner struct
 * @grid: A 2x3 grid
 * @data: Trailing data
 *
 * Exercises fixed, multi-dimensional and flexible arrays.
 */
struct demo_cmd {
	__u32 size;
	__u32 flags;
	char name[5];
	struct demo_inner inner;
	__u8 grid[2][3];
	__aligned_u64 ptr;
	__u64 __user *user_ptr;
	__u8 data[];
};
#define DEMO_CMD _IO(DEMO_TYPE, DEMO_BASE + 0)

struct demo_union_holder {
	__u32 argsz;
	__u32 op;
	union {
		__u32 as_u32;
		__s64 as_s64;
#define DEMO_INSIDE_UNION 7
	};
	union {
		struct {
			__u32 x;
			__u32 y;
		} point;
		__u64 raw;
	} u;
	struct {
		__u16 lo;
		__u16 hi;
	};
	__u32 object;
	__u32 demo_union_holder;
};
#define DEMO_UNION _IOWR(DEMO_TYPE, DEMO_BASE + 1, struct demo_union_holder)

struct demo_bits {
	__u32 enable : 1;
	__u32 mode : 3;
	__s32 delta : 4;
	__u32 : 0;
	__u8 tail : 2;
};

struct demo_packed {
	__u8 tag;
	__u32 value;
	__u16 more;
} __attribute__((packed));

struct demo_aligned {
	__u8 tag;
	__u32 value __attribute__((aligned(16)));
};

typedef struct {
	__u32 handle;
} demo_handle_t;

struct demo_uses_typedef {
	demo_handle_t h;
	enum demo_kind kind;
};

/**
 * DEMO_VALUE - _IOW(DEMO_TYPE, DEMO_BASE + 2, __u32)
 *
 * Takes an integer.
 */
#define DEMO_VALUE _IO(DEMO_TYPE, DEMO_BASE + 2)

/**
 * DEMO_NONE - _IO(DEMO_TYPE, DEMO_BASE + 3)
 */
#define DEMO_NONE _IO(DEMO_TYPE, DEMO_BASE + 3)
#define DEMO_READ _IOR(DEMO_TYPE, DEMO_BASE + 4, struct demo_bits)

#endif
