// SPDX-License-Identifier: GPL-2.0-or-later
/* Memory of a frozen process, read from outside: /proc/PID/maps gives the VMAs,
 * /proc/PID/pagemap tells which pages hold data of their own, process_vm_readv copies them
 * (/proc/PID/mem where it refuses, e.g. PROT_NONE). Which pages are saved follows CRIU:
 * private VMAs only; present or swapped pages, but not the shared zero page; in a private file
 * mapping only the pages that were copied on write (the rest is in the file); [vdso] always
 * whole (a restore may need to compare or proxy it), [vvar]/[vvar_vclock] and [vsyscall]
 * never (the kernel provides them). Shared mappings keep their data in a file or in shmem, which
 * this module does not dump. Pages go out in batches of BATCH_BYTES, never all at once. */
#include "mem.h"

#include <inttypes.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "image.h"
#include "signals.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "vma.pb-c.h"

#define PAGE_SIZE   4096ul
#define PAGE_SHIFT  12
#define BATCH_BYTES (1ul << 20)
#define BATCH_IOVS  256   /* remote iovecs per process_vm_readv (a batch has at most 256 pages) */
#define PM_CHUNK    16384 /* pagemap entries read at once (128 KiB, 64 MiB of address space) */
#define MAX_AUXV    128   /* u64 words: far above AT_VECTOR_SIZE on any architecture */

/* /proc/PID/pagemap bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFN_MASK ((1ull << 55) - 1)
#define PM_FILE     (1ull << 61) /* file page or shared anonymous */
#define PM_SWAP     (1ull << 62)
#define PM_PRESENT  (1ull << 63)

/* vma_entry.status bits (CRIU's VMA_AREA_*). */
#define VMA_AREA_REGULAR  (1u << 0)
#define VMA_AREA_STACK    (1u << 1)
#define VMA_AREA_VSYSCALL (1u << 2)
#define VMA_AREA_VDSO     (1u << 3)
#define VMA_AREA_HEAP     (1u << 5)
#define VMA_FILE_PRIVATE  (1u << 6)
#define VMA_FILE_SHARED   (1u << 7)
#define VMA_ANON_SHARED   (1u << 8)
#define VMA_ANON_PRIVATE  (1u << 9)
#define VMA_AREA_VVAR     (1u << 12)

/* pagemap_entry.flags */
#define PE_PRESENT (1u << 2)

/* ---- the shared zero page ---- */

/* The PFN of the zero page, read from our own pagemap after a read fault on fresh anonymous
 * memory; 0 when PFNs are hidden (no CAP_SYS_ADMIN), and zero pages are then saved. */
static uint64_t zero_page_pfn(void)
{
	static bool known;
	static uint64_t pfn;
	cleanup_fd int fd = -1;
	volatile const char *p;
	uint64_t pme = 0;
	void *m;

	if (known)
		return pfn;
	known = true;
	m = mmap(NULL, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	p = m;
	(void)*p;
	fd = openat(proc_fd(), "self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 &&
	    pread(fd, &pme, sizeof(pme), ((uintptr_t)m >> PAGE_SHIFT) * sizeof(pme)) ==
		    sizeof(pme) &&
	    (pme & PM_PRESENT))
		pfn = pme & PM_PFN_MASK;
	munmap(m, PAGE_SIZE);
	if (!pfn)
		pr_warn("the zero page's PFN is hidden: untouched zero pages will be dumped");
	return pfn;
}

/* ---- VMAs ---- */

struct vma {
	VmaEntry e;
	bool dump_pages; /* its pages may go to pages-N.img */
	bool whole;      /* all its pages do, present or not ([vdso]) */
};

static bool name_is(const char *name, const char *what)
{
	return !strcmp(name, what);
}

static bool is_anon_shmem(const struct proc_vma *p)
{
	return name_is(p->name, "/dev/zero (deleted)") || !strncmp(p->name, "[anon_shmem:", 12) ||
	       !strncmp(p->name, "/SYSV", 5);
}

/* A file VMA's entry in the file table: one stat per distinct file, remembered from the last
 * file VMA (a library's mappings come one after another). */
struct file_cache {
	unsigned int major, minor;
	uint64_t ino;
	struct stat st;
	bool valid;
};

static int fill_file_vma(struct vma *v, const struct proc_vma *p, pid_t pid, struct file_table *ft,
			 struct file_cache *fc)
{
	bool shared = p->perms[3] == 's';
	uint32_t flags;
	size_t len = strlen(p->name);

	if (!fc->valid || fc->major != p->dev_major || fc->minor != p->dev_minor ||
	    fc->ino != p->ino) {
		/* map_files wants CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE; the name may do. */
		if (proc_stat_map_file(pid, p->start, p->end, &fc->st) < 0 &&
		    stat(p->name, &fc->st) < 0) {
			fc->valid = false;
			pr_perror("cannot stat the file mapped at %#" PRIx64 " by %d (%s)",
				  p->start, pid, p->name);
			return -1;
		}
		fc->major = p->dev_major;
		fc->minor = p->dev_minor;
		fc->ino = p->ino;
		fc->valid = true;
	}
	if (len > 10 && !strcmp(p->name + len - 10, " (deleted)"))
		pr_warn("%d maps a deleted file %s: its name is kept, its contents are not", pid,
			p->name);
	/* What a restore must open the file with to map it the same way. */
	flags = shared && (v->e.prot & PROT_WRITE) ? O_RDWR : O_RDONLY;
	v->e.shmid = file_table_add_reg(ft, p->name, flags, 0, fc->st.st_mode,
					(uint64_t)fc->st.st_size);
	v->e.status |= shared ? VMA_FILE_SHARED : VMA_FILE_PRIVATE;
	if (S_ISCHR(fc->st.st_mode) || S_ISBLK(fc->st.st_mode)) {
		pr_warn("%d maps device %s at %#" PRIx64 ": its pages are not dumped", pid, p->name,
			p->start);
		v->dump_pages = false;
	}
	return 0;
}

static int fill_vma(struct vma *v, const struct proc_vma *p, pid_t pid, struct file_table *ft,
		    struct file_cache *fc)
{
	bool shared = p->perms[3] == 's';

	vma_entry__init(&v->e);
	v->e.start = p->start;
	v->e.end = p->end;
	v->e.pgoff = p->pgoff;
	v->e.fd = -1;
	v->e.prot = (p->perms[0] == 'r' ? PROT_READ : 0) | (p->perms[1] == 'w' ? PROT_WRITE : 0) |
		    (p->perms[2] == 'x' ? PROT_EXEC : 0);
	v->e.flags = shared ? MAP_SHARED : MAP_PRIVATE;
	v->e.status = VMA_AREA_REGULAR;
	v->dump_pages = !shared;
	v->whole = false;

	if (name_is(p->name, "[vsyscall]")) {
		/* Not a mapping of the process: the kernel emulates it, nothing to restore. */
		v->e.status = VMA_AREA_VSYSCALL;
		v->dump_pages = false;
	} else if (name_is(p->name, "[vdso]")) {
		v->e.status |= VMA_AREA_VDSO;
		v->whole = true;
	} else if (name_is(p->name, "[vvar]") || name_is(p->name, "[vvar_vclock]")) {
		v->e.status |= VMA_AREA_VVAR;
		v->dump_pages = false;
	} else if (name_is(p->name, "[heap]")) {
		v->e.status |= VMA_AREA_HEAP;
	} else if (name_is(p->name, "[stack]")) {
		/* The main stack grows down; maps does not say so of other VMAs (smaps would). */
		v->e.status |= VMA_AREA_STACK;
		v->e.flags |= MAP_GROWSDOWN;
	} else if (p->ino && shared && is_anon_shmem(p)) {
		v->e.status |= VMA_ANON_SHARED;
		v->e.flags |= MAP_ANONYMOUS;
		v->e.shmid = p->ino;
		pr_warn("%d has shared anonymous memory at %#" PRIx64 "-%#" PRIx64
			": its contents are not dumped",
			pid, p->start, p->end);
		return 0;
	} else if (p->name[0] == '/') {
		return fill_file_vma(v, p, pid, ft, fc);
	}
	/* Anonymous memory, named or not, and the special mappings above. */
	v->e.flags |= MAP_ANONYMOUS;
	v->e.status |= shared ? VMA_ANON_SHARED : VMA_ANON_PRIVATE;
	if (shared)
		pr_warn("%d has shared anonymous memory at %#" PRIx64 "-%#" PRIx64
			": its contents are not dumped",
			pid, p->start, p->end);
	return 0;
}

/* ---- pages ---- */

/* Streams the saved pages: runs go to pagemap-PID.img as they close, contents are read in
 * batches of up to BATCH_BYTES and appended to pages-N.img. */
struct page_writer {
	pid_t pid;
	int mem_fd; /* /proc/PID/mem, opened on first need */
	struct img *pagemap, *pages;
	struct mem_stats *stats;
	uint8_t *buf;
	size_t used;
	struct iovec riov[BATCH_IOVS];
	size_t nr_iov;
	uint64_t run_start, run_pages; /* the pagemap entry still growing */
};

static int read_mem_fallback(struct page_writer *pw, void *buf, uint64_t addr, size_t len)
{
	size_t done = 0;

	if (pw->mem_fd < 0) {
		pw->mem_fd = proc_open_task_file(pw->pid, "mem");
		if (pw->mem_fd < 0) {
			pr_perror("cannot open /proc/%d/mem", pw->pid);
			return -1;
		}
	}
	while (done < len) {
		ssize_t n = pread(pw->mem_fd, (uint8_t *)buf + done, len - done, addr + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			pr_perror("cannot read %zu bytes of %d's memory at %#" PRIx64, len - done,
				  pw->pid, addr + done);
			return -1;
		}
		done += n;
	}
	pw->stats->pages_fallback += len / PAGE_SIZE;
	return 0;
}

/* Reads the batch's remote ranges into buf, back to back. */
static int read_batch(struct page_writer *pw)
{
	size_t i = 0, skip = 0, off = 0;

	while (i < pw->nr_iov) {
		struct iovec local = {pw->buf + off, pw->used - off};
		struct iovec saved = pw->riov[i];
		ssize_t n;

		pw->riov[i].iov_base = (uint8_t *)saved.iov_base + skip;
		pw->riov[i].iov_len = saved.iov_len - skip;
		n = process_vm_readv(pw->pid, &local, 1, &pw->riov[i], pw->nr_iov - i, 0);
		pw->riov[i] = saved;
		if (n < 0) {
			if (errno == ESRCH) {
				pr_perror("cannot read the memory of %d", pw->pid);
				return -1;
			}
			n = 0; /* the first range is refused: read it the other way */
		}
		off += n;
		while (n > 0) {
			size_t left = pw->riov[i].iov_len - skip;

			if ((size_t)n < left) {
				skip += n;
				break;
			}
			n -= left;
			skip = 0;
			i++;
		}
		if (i == pw->nr_iov)
			break;
		/* process_vm_readv stopped inside riov[i] (PROT_NONE, VM_IO...): /proc/PID/mem
		 * reads with FOLL_FORCE, as a debugger does. */
		if (read_mem_fallback(pw, pw->buf + off,
				      (uintptr_t)pw->riov[i].iov_base + skip,
				      pw->riov[i].iov_len - skip) < 0)
			return -1;
		off += pw->riov[i].iov_len - skip;
		skip = 0;
		i++;
	}
	return 0;
}

static int flush_batch(struct page_writer *pw)
{
	if (!pw->used)
		return 0;
	if (read_batch(pw) < 0 || img_write_raw(pw->pages, pw->buf, pw->used) < 0)
		return -1;
	pw->stats->pages_written += pw->used / PAGE_SIZE;
	pw->stats->bytes_written += pw->used;
	pw->used = 0;
	pw->nr_iov = 0;
	return 0;
}

static int close_run(struct page_writer *pw)
{
	PagemapEntry pe = PAGEMAP_ENTRY__INIT;

	if (!pw->run_pages)
		return 0;
	pe.vaddr = pw->run_start;
	pe.nr_pages = (uint32_t)pw->run_pages;
	pe.has_flags = true;
	pe.flags = PE_PRESENT;
	pw->run_pages = 0;
	return img_write(pw->pagemap, &pe.base);
}

/* Saves npages pages from addr on. */
static int save_pages(struct page_writer *pw, uint64_t addr, uint64_t npages)
{
	if (pw->run_pages && pw->run_start + (pw->run_pages << PAGE_SHIFT) == addr &&
	    pw->run_pages + npages <= UINT32_MAX) {
		pw->run_pages += npages;
	} else {
		if (close_run(pw) < 0)
			return -1;
		pw->run_start = addr;
		pw->run_pages = npages;
	}
	while (npages) {
		size_t room = (BATCH_BYTES - pw->used) / PAGE_SIZE, take;
		struct iovec *last = pw->nr_iov ? &pw->riov[pw->nr_iov - 1] : NULL;

		if (!room || (pw->nr_iov == BATCH_IOVS &&
			      (uintptr_t)last->iov_base + last->iov_len != addr)) {
			if (flush_batch(pw) < 0)
				return -1;
			continue;
		}
		take = npages < room ? npages : room;
		if (last && (uintptr_t)last->iov_base + last->iov_len == addr) {
			last->iov_len += take * PAGE_SIZE;
		} else {
			pw->riov[pw->nr_iov].iov_base = (void *)(uintptr_t)addr;
			pw->riov[pw->nr_iov].iov_len = take * PAGE_SIZE;
			pw->nr_iov++;
		}
		pw->used += take * PAGE_SIZE;
		addr += take * PAGE_SIZE;
		npages -= take;
	}
	return 0;
}

static bool page_has_data(const struct vma *v, uint64_t pme, uint64_t zero_pfn,
			  struct mem_stats *stats)
{
	if (!(pme & (PM_PRESENT | PM_SWAP)))
		return false;
	/* Not copied on write yet: the page is the file's. */
	if ((v->e.status & VMA_FILE_PRIVATE) && (pme & PM_FILE))
		return false;
	if ((pme & PM_PRESENT) && zero_pfn && (pme & PM_PFN_MASK) == zero_pfn) {
		stats->pages_zero++;
		return false;
	}
	return true;
}

static int scan_vma(struct page_writer *pw, int pagemap_fd, uint64_t *pm, const struct vma *v,
		    uint64_t zero_pfn)
{
	uint64_t addr = v->e.start;

	if (v->whole) {
		pw->stats->pages_scanned += (v->e.end - v->e.start) >> PAGE_SHIFT;
		return save_pages(pw, v->e.start, (v->e.end - v->e.start) >> PAGE_SHIFT);
	}
	while (addr < v->e.end) {
		uint64_t n = (v->e.end - addr) >> PAGE_SHIFT, i, run = 0;
		size_t want, got = 0;

		if (n > PM_CHUNK)
			n = PM_CHUNK;
		want = n * sizeof(*pm);
		while (got < want) {
			ssize_t r = pread(pagemap_fd, (uint8_t *)pm + got, want - got,
					  (addr >> PAGE_SHIFT) * sizeof(*pm) + got);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r == 0)
					errno = EIO;
				pr_perror("cannot read /proc/%d/pagemap at %#" PRIx64, pw->pid,
					  addr);
				return -1;
			}
			got += r;
		}
		pw->stats->pages_scanned += n;
		for (i = 0; i < n; i++) {
			if (page_has_data(v, pm[i], zero_pfn, pw->stats)) {
				run++;
				continue;
			}
			if (run && save_pages(pw, addr + ((i - run) << PAGE_SHIFT), run) < 0)
				return -1;
			run = 0;
		}
		if (run && save_pages(pw, addr + ((n - run) << PAGE_SHIFT), run) < 0)
			return -1;
		addr += n << PAGE_SHIFT;
	}
	return 0;
}

static int dump_pages(int dirfd, pid_t pid, const struct vma *vmas, size_t nr,
		      unsigned long pages_id, struct mem_stats *stats)
{
	struct page_writer pw = {.pid = pid, .mem_fd = -1, .stats = stats};
	PagemapHead head = PAGEMAP_HEAD__INIT;
	cleanup_fd int pagemap_fd = -1;
	cleanup_free uint64_t *pm = NULL;
	uint64_t zero_pfn = zero_page_pfn();
	int ret = -1;
	size_t i;

	pagemap_fd = proc_open_task_file(pid, "pagemap");
	if (pagemap_fd < 0) {
		pr_perror("cannot open /proc/%d/pagemap", pid);
		return -1;
	}
	pw.pagemap = img_create(dirfd, IMG_PAGEMAP, pid);
	if (!pw.pagemap)
		return -1;
	pw.pages = img_create(dirfd, IMG_PAGES, pages_id);
	if (!pw.pages)
		goto out;
	pw.buf = xmalloc(BATCH_BYTES);
	pm = xmalloc(PM_CHUNK * sizeof(*pm));
	head.pages_id = (uint32_t)pages_id;
	if (img_write(pw.pagemap, &head.base) < 0)
		goto out;
	for (i = 0; i < nr; i++)
		if (vmas[i].dump_pages && scan_vma(&pw, pagemap_fd, pm, &vmas[i], zero_pfn) < 0)
			goto out;
	if (close_run(&pw) < 0 || flush_batch(&pw) < 0)
		goto out;
	ret = 0;
out:
	if (img_close(pw.pages) < 0)
		ret = -1;
	if (img_close(pw.pagemap) < 0)
		ret = -1;
	if (pw.mem_fd >= 0)
		close(pw.mem_fd);
	free(pw.buf);
	return ret;
}

/* ---- mm-PID.img ---- */

static int write_mm(int dirfd, const struct task *t, struct vma *vmas, size_t nr,
		    struct file_table *ft)
{
	const struct proc_stat *st = &t->threads[0].stat;
	MmEntry mm = MM_ENTRY__INIT;
	cleanup_free VmaEntry **pv = xmalloc((nr ? nr : 1) * sizeof(*pv));
	uint64_t auxv[MAX_AUXV];
	size_t nr_auxv = 0, i;
	char exe[PATH_MAX];
	struct stat est;
	struct img *img;
	int dumpable;

	mm.mm_start_code = st->start_code;
	mm.mm_end_code = st->end_code;
	mm.mm_start_data = st->start_data;
	mm.mm_end_data = st->end_data;
	mm.mm_start_stack = st->start_stack;
	mm.mm_start_brk = st->start_brk;
	/* /proc does not show brk itself: the end of [heap] is brk rounded up to a page. */
	mm.mm_brk = st->start_brk;
	mm.mm_arg_start = st->arg_start;
	mm.mm_arg_end = st->arg_end;
	mm.mm_env_start = st->env_start;
	mm.mm_env_end = st->env_end;
	for (i = 0; i < nr; i++) {
		if (vmas[i].e.status & VMA_AREA_HEAP)
			mm.mm_brk = vmas[i].e.end;
		pv[i] = &vmas[i].e;
	}
	mm.n_vmas = nr;
	mm.vmas = pv;

	if (proc_read_auxv(t->pid, auxv, MAX_AUXV, &nr_auxv) < 0) {
		pr_perror("cannot read /proc/%d/auxv", t->pid);
		return -1;
	}
	mm.n_mm_saved_auxv = nr_auxv;
	mm.mm_saved_auxv = auxv;

	if (proc_read_exe(t->pid, exe, sizeof(exe), &est) < 0) {
		pr_perror("cannot read /proc/%d/exe", t->pid);
		return -1;
	}
	mm.exe_file_id = file_table_add_reg(ft, exe, O_RDONLY, 0, est.st_mode, est.st_size);

	dumpable = proc_guess_dumpable(t->pid, t->threads[0].status.uid[1]);
	if (dumpable >= 0) {
		mm.has_dumpable = true;
		mm.dumpable = dumpable;
	}

	img = img_create(dirfd, IMG_MM, t->pid);
	if (!img)
		return -1;
	img_write(img, &mm.base);
	return img_close(img);
}

int mem_dump_task(int dirfd, const struct task *t, struct file_table *ft,
		  unsigned long *next_pages_id, struct mem_stats *stats)
{
	struct proc_vma *pvmas = NULL;
	struct file_cache fc = {0};
	cleanup_free struct vma *vmas = NULL;
	size_t nr = 0, i;
	int ret = -1;

	if (proc_read_maps(t->pid, &pvmas, &nr) < 0) {
		pr_perror("cannot read /proc/%d/maps", t->pid);
		return -1;
	}
	vmas = xzalloc((nr ? nr : 1) * sizeof(*vmas));
	for (i = 0; i < nr; i++)
		if (fill_vma(&vmas[i], &pvmas[i], t->pid, ft, &fc) < 0)
			goto out;
	if (write_mm(dirfd, t, vmas, nr, ft) < 0 ||
	    dump_pages(dirfd, t->pid, vmas, nr, *next_pages_id, stats) < 0)
		goto out;
	stats->vmas += nr;
	(*next_pages_id)++;
	ret = 0;
out:
	proc_vmas_free(pvmas, nr);
	return ret;
}

int mem_dump_tree(int dirfd, const struct pstree *tree, struct file_table *ft,
		  struct mem_stats *stats)
{
	unsigned long pages_id = 1;
	size_t i;

	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];

		if (t->state == TASK_DEAD)
			continue;
		/* A big tree's memory takes a while: a held signal stops it between processes. */
		if (signals_check() < 0 || mem_dump_task(dirfd, t, ft, &pages_id, stats) < 0)
			return -1;
	}
	pr_info("memory: %" PRIu64 " VMAs, %" PRIu64 " pages scanned, %" PRIu64
		" written (%" PRIu64 " through /proc/PID/mem), %" PRIu64 " zero pages skipped",
		stats->vmas, stats->pages_scanned, stats->pages_written, stats->pages_fallback,
		stats->pages_zero);
	return 0;
}
