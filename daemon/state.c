/* state.c — state-log registry plus the memory and file backends. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void state_registry_init(struct state_registry *reg, struct state_backend *be)
{
	pthread_mutex_init(&reg->lock, NULL);
	reg->head = NULL;
	reg->backend = be;
}

void state_registry_destroy(struct state_registry *reg)
{
	/* plugins close their logs in fini(); anything left is closed here */
	while (reg->head)
		state_registry_close(reg->head);
	pthread_mutex_destroy(&reg->lock);
}

int state_registry_open(struct state_registry *reg, const char *name, newsd_state_entry_fn fn,
			void *opaque, struct newsd_state **out, char *err, size_t errlen)
{
	struct newsd_state *s = NULL;
	int rc;

	*out = NULL;
	if (!reg->backend) {
		snprintf(err, errlen, "no state backend configured");
		return -ENOTSUP;
	}
	rc = reg->backend->open(reg->backend, name, fn, opaque, &s, err, errlen);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&reg->lock);
	s->reg = reg;
	s->next = reg->head;
	reg->head = s;
	pthread_mutex_unlock(&reg->lock);
	*out = s;
	return 0;
}

void state_registry_close(struct newsd_state *s)
{
	struct state_registry *reg = s->reg;

	if (reg) {
		pthread_mutex_lock(&reg->lock);
		for (struct newsd_state **pp = &reg->head; *pp; pp = &(*pp)->next) {
			if (*pp == s) {
				*pp = s->next;
				break;
			}
		}
		pthread_mutex_unlock(&reg->lock);
	}
	s->ops->flush(s);
	s->ops->close(s);
}

int state_registry_flush(struct state_registry *reg)
{
	int rc = 0;

	pthread_mutex_lock(&reg->lock);
	for (struct newsd_state *s = reg->head; s; s = s->next) {
		int r = s->ops->flush(s);
		if (r < 0 && rc == 0)
			rc = r;
	}
	pthread_mutex_unlock(&reg->lock);
	return rc;
}

/* ---- memory backend: appends are kept by the plugin itself; there is no
 * other instance to hear from, so poll has nothing to deliver. ---- */

static int mem_append(struct newsd_state *s, const char *k, size_t kl, const void *v, size_t vl)
{
	(void)s, (void)k, (void)kl, (void)v, (void)vl;
	return 0;
}
static int mem_poll(struct newsd_state *s)
{
	(void)s;
	return 0;
}
static int mem_flush(struct newsd_state *s)
{
	(void)s;
	return 0;
}
static void mem_close(struct newsd_state *s)
{
	free(s->name);
	free(s);
}
static const struct state_ops mem_ops = {mem_append, mem_poll, mem_flush, mem_close};

static int mem_open(struct state_backend *be, const char *name, newsd_state_entry_fn fn,
		    void *opaque, struct newsd_state **out, char *err, size_t errlen)
{
	struct newsd_state *s = calloc(1, sizeof(*s));

	(void)be;
	if (!s || !(s->name = strdup(name))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ops = &mem_ops;
	s->fn = fn;
	s->opaque = opaque;
	*out = s;
	return 0;
}

void state_backend_memory(struct state_backend *be)
{
	be->open = mem_open;
	be->impl = NULL;
}

/* ---- file backend: entries are [u32 klen][u32 vlen][key][val], little
 * endian.  One process owns a file at a time (flock). ---- */

struct file_state {
	struct newsd_state base;
	pthread_mutex_t lock;
	FILE *f;
};

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
	p[3] = (unsigned char)(v >> 24);
}
static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int file_append(struct newsd_state *s, const char *k, size_t kl, const void *v, size_t vl)
{
	struct file_state *fs = (struct file_state *)s;
	unsigned char hdr[8];
	int rc = 0;

	if (kl > UINT32_MAX || vl > UINT32_MAX)
		return -EINVAL;
	put_u32(hdr, (uint32_t)kl);
	put_u32(hdr + 4, (uint32_t)vl);
	pthread_mutex_lock(&fs->lock);
	if (fwrite(hdr, 1, 8, fs->f) != 8 || fwrite(k, 1, kl, fs->f) != kl ||
	    fwrite(v, 1, vl, fs->f) != vl)
		rc = -EIO;
	pthread_mutex_unlock(&fs->lock);
	return rc;
}

static int file_flush(struct newsd_state *s)
{
	struct file_state *fs = (struct file_state *)s;
	int rc = 0;

	pthread_mutex_lock(&fs->lock);
	if (fflush(fs->f) != 0)
		rc = -errno;
	pthread_mutex_unlock(&fs->lock);
	return rc;
}

static void file_close(struct newsd_state *s)
{
	struct file_state *fs = (struct file_state *)s;

	fclose(fs->f); /* releases the flock */
	pthread_mutex_destroy(&fs->lock);
	free(s->name);
	free(fs);
}
static const struct state_ops file_ops = {file_append, mem_poll, file_flush, file_close};

/* Replays every whole entry of f; returns the offset after the last one. */
static long file_replay(FILE *f, newsd_state_entry_fn fn, void *opaque)
{
	unsigned char hdr[8];
	char *buf = NULL;
	size_t cap = 0;
	long good = 0;
	size_t remaining;

	long end = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;

	/* unknown size: trust the headers rather than truncate good data */
	remaining = end >= 0 ? (size_t)end : SIZE_MAX;
	rewind(f);

	while (fread(hdr, 1, 8, f) == 8) {
		size_t kl = get_u32(hdr), vl = get_u32(hdr + 4);
		if (kl + vl > remaining - 8)
			break; /* a torn or corrupt header: never trust its sizes */
		if (kl + vl > cap) {
			char *nb = realloc(buf, kl + vl);
			if (!nb)
				break;
			buf = nb;
			cap = kl + vl;
		}
		if (fread(buf, 1, kl + vl, f) != kl + vl)
			break; /* torn tail */
		fn(opaque, buf, kl, buf + kl, vl);
		good += (long)(8 + kl + vl); /* no ftell syscall per entry */
		remaining -= 8 + kl + vl;
	}
	free(buf);
	return good;
}

static int file_open(struct state_backend *be, const char *name, newsd_state_entry_fn fn,
		     void *opaque, struct newsd_state **out, char *err, size_t errlen)
{
	struct file_state *fs = NULL;
	char path[4096];
	int fd = -1, rc = 0;

	if (strchr(name, '/')) {
		snprintf(err, errlen, "state log name '%s' must not contain '/'", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/%s.log", (const char *)be->impl, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: in use by another newsd process (%s)", path,
			 strerror(errno));
		goto out;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs || !(fs->base.name = strdup(name)) || !(fs->f = fdopen(fd, "r+b"))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fd = -1; /* the FILE owns it now */
	long end = file_replay(fs->f, fn, opaque);
	if (ftruncate(fileno(fs->f), end) < 0 || fseek(fs->f, end, SEEK_SET) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot truncate torn tail: %s", path, strerror(errno));
		goto out;
	}
	pthread_mutex_init(&fs->lock, NULL);
	fs->base.ops = &file_ops;
	fs->base.fn = fn;
	fs->base.opaque = opaque;
	*out = &fs->base;
	fs = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (fs) {
		if (fs->f)
			fclose(fs->f);
		free(fs->base.name);
		free(fs);
	}
	return rc;
}

int state_backend_file(struct state_backend *be, const char *dir)
{
	be->open = file_open;
	be->impl = strdup(dir);
	return be->impl ? 0 : -ENOMEM;
}

void state_backend_file_free(struct state_backend *be)
{
	free(be->impl);
	be->impl = NULL;
}
