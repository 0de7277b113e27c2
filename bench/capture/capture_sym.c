/*
 * Kernel stacks of the capture (--callchain): each distinct callchain is
 * interned once and folded root first ("a;b;c", the flame-graph format),
 * its frames named by libtraceevent from /proc/kallsyms (an address with no
 * symbol, or every address when the kernel hides them, stays in hex).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <traceevent/event-parse.h>

#include "capture_impl.h"
#include "waitsite.h"

/* The whole of path (a /proc file: its size reads as 0) as a string; NULL and errno. */
static char *read_whole(const char *path)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf) {
		int e = fd < 0 ? errno : ENOMEM;

		if (fd >= 0)
			close(fd);
		free(buf);
		errno = e;
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (cap - n - 1 == 0) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				r = -1;
				errno = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (r < 0) {
		int e = errno;

		close(fd);
		free(buf);
		errno = e;
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

int cap_syms_load(struct capture *c)
{
	char *all = read_whole("/proc/kallsyms");
	int err = 0;

	if (!all)
		return -errno;
	c->ksyms = tep_alloc();
	if (!c->ksyms)
		err = -ENOMEM;
	else if (tep_parse_kallsyms(c->ksyms, all))
		err = -EINVAL;
	free(all);
	return err;
}

static char *fold_stack(const struct capture *c, const uint64_t *ips, uint32_t nr)
{
	size_t cap = 256, n = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (uint32_t k = nr; k-- > 0;) {	/* callchain is leaf first; folded is root first */
		char hex[24];
		const char *name = c->ksyms ? tep_find_function(c->ksyms, ips[k]) : NULL;
		size_t l;

		if (!name) {
			snprintf(hex, sizeof(hex), "0x%" PRIx64, ips[k]);
			name = hex;
		}
		l = strlen(name);
		if (n + l + 2 > cap) {
			char *ns;

			cap = (n + l + 2) * 2;
			ns = realloc(s, cap);
			if (!ns) {
				free(s);
				return NULL;
			}
			s = ns;
		}
		if (n)
			s[n++] = ';';
		memcpy(s + n, name, l + 1);
		n += l;
	}
	return s;
}

/* Doubles the stack table when it is half full; 0 or -ENOMEM. */
static int stacks_grow(struct capture *c)
{
	size_t ncap = c->stack_cap ? c->stack_cap * 2 : 1024;
	struct stackent *nt;

	if ((c->stack_len + 1) * 2 <= c->stack_cap)
		return 0;
	nt = calloc(ncap, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	for (size_t j = 0; j < c->stack_cap; j++) {
		size_t i;

		if (!c->stacks[j].ips)
			continue;
		i = c->stacks[j].hash & (ncap - 1);
		while (nt[i].ips)
			i = (i + 1) & (ncap - 1);
		nt[i] = c->stacks[j];
	}
	free(c->stacks);
	c->stacks = nt;
	c->stack_cap = ncap;
	return 0;
}

/* Fills the empty slot e with the n frames ips (hash h); id + 1, or 0 out of memory. */
static uint32_t stack_add(struct capture *c, struct stackent *e, const uint64_t *ips, uint32_t n,
			  uint64_t h)
{
	if (c->stack_ids == c->stack_ids_cap) {
		size_t ncap = c->stack_ids_cap ? c->stack_ids_cap * 2 : 256;
		const char **nb = realloc(c->stack_by_id, ncap * sizeof(*nb));

		if (!nb)
			return 0;
		c->stack_by_id = nb;
		c->stack_ids_cap = ncap;
	}
	e->ips = malloc(n * sizeof(*ips));
	e->folded = fold_stack(c, ips, n);
	if (!e->ips || !e->folded) {
		free(e->ips);
		free(e->folded);
		e->ips = NULL;
		e->folded = NULL;
		return 0;
	}
	memcpy(e->ips, ips, n * sizeof(*ips));
	e->hash = h;
	e->nr = n;
	e->id = (uint32_t)c->stack_ids;
	c->stack_by_id[c->stack_ids++] = e->folded;
	c->stack_len++;
	return e->id + 1;
}

uint32_t cap_stack_intern(struct capture *c, const uint64_t *chain, uint64_t nr)
{
	uint64_t ips[MAX_STACK];
	uint32_t n = 0;
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (uint64_t k = 0; k < nr && n < MAX_STACK; k++) {
		if (chain[k] >= (uint64_t)PERF_CONTEXT_MAX)
			continue;	/* PERF_CONTEXT_KERNEL and friends */
		ips[n++] = chain[k];
		h = (h ^ chain[k]) * 1099511628211ull;
	}
	if (!n || stacks_grow(c))
		return 0;
	i = h & (c->stack_cap - 1);
	while (c->stacks[i].ips) {
		struct stackent *e = &c->stacks[i];

		if (e->hash == h && e->nr == n && !memcmp(e->ips, ips, n * sizeof(*ips)))
			return e->id + 1;
		i = (i + 1) & (c->stack_cap - 1);
	}
	return stack_add(c, &c->stacks[i], ips, n, h);
}

const char *cap_stack_str(const struct capture *c, uint32_t id)
{
	return id ? c->stack_by_id[id - 1] : NULL;
}

static const char *const sched_frames[] = { SB_SCHED_FRAMES(CAP_FRAME) };

static bool skip_frame(const char *const *skip, size_t nskip, const char *f, size_t n)
{
	for (size_t i = 0; i < nskip; i++)
		if (strlen(skip[i]) == n && !memcmp(skip[i], f, n))
			return true;
	return false;
}

const char *cap_frame_site(struct capture *c, const char *folded, const char *const *skip,
			   size_t nskip, const char *fallback)
{
	const char *end = folded + strlen(folded), *site = NULL;
	char buf[128];
	size_t n;

	while (end > folded) {
		const char *b = end;

		while (b > folded && b[-1] != ';')
			b--;
		n = (size_t)(end - b);
		if (memchr(b, '.', n) && b[0] != '0')
			n = (size_t)((const char *)memchr(b, '.', n) - b);
		if (!skip_frame(skip, nskip, b, n)) {
			snprintf(buf, sizeof(buf), "%.*s", (int)n, b);
			site = cap_intern(c, buf);
			break;
		}
		end = b > folded ? b - 1 : b;
	}
	return site ? site : fallback;
}

const char *cap_site_memo(struct capture *c, struct cap_sitememo *m, uint32_t id,
			  const char *const *skip, size_t nskip, const char *fallback)
{
	const char *folded = c->stack_by_id[id - 1];

	if (id > m->cap) {	/* grows with stack_by_id */
		size_t n = c->stack_ids_cap;
		const char **nb = realloc(m->by_id, n * sizeof(*nb));

		if (!nb)
			return cap_frame_site(c, folded, skip, nskip, fallback);
		memset(nb + m->cap, 0, (n - m->cap) * sizeof(*nb));
		m->by_id = nb;
		m->cap = n;
	}
	if (!m->by_id[id - 1])
		m->by_id[id - 1] = cap_frame_site(c, folded, skip, nskip, fallback);
	return m->by_id[id - 1];
}

/* The first frame from the leaf that is not the scheduler's. */
const char *cap_stack_site(struct capture *c, uint32_t id)
{
	if (!id || id > c->stack_ids)
		return "(no stack)";
	return cap_site_memo(c, &c->wait_sites, id, sched_frames,
			     sizeof(sched_frames) / sizeof(sched_frames[0]), "(scheduler only)");
}

void cap_syms_free(struct capture *c)
{
	free(c->wait_sites.by_id);
	for (size_t i = 0; i < c->stack_cap; i++) {
		free(c->stacks[i].ips);
		free(c->stacks[i].folded);
	}
	free(c->stacks);
	free(c->stack_by_id);
	if (c->ksyms)
		tep_free(c->ksyms);
}
