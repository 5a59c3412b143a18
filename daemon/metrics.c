/* metrics.c — open-addressing table of atomic counters. */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	/* registered first, so a full table can still count what it drops */
	metrics_add(m, NULL, "metrics.overflow", 0);
}

void metrics_destroy(struct metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

/* A counter's name is "prefix.name" cut to METRICS_NAME_MAX - 1 bytes, as
 * stored; hashing and comparing walk that without building it. */
#define NAME_LIMIT (METRICS_NAME_MAX - 1)

static uint32_t fnv1a(const char *a, const char *b)
{
	uint32_t h = 2166136261u;
	size_t n = 0;

	for (const char *p = a; p && *p && n < NAME_LIMIT; p++, n++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	if (a && n < NAME_LIMIT)
		h = (h ^ '.') * 16777619u, n++;
	for (const char *p = b; *p && n < NAME_LIMIT; p++, n++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static int name_eq(const char *slot, const char *prefix, const char *name)
{
	size_t n = 0;

	for (const char *p = prefix; p && *p && n < NAME_LIMIT; p++, n++)
		if (slot[n] != *p)
			return 0;
	if (prefix && n < NAME_LIMIT) {
		if (slot[n] != '.')
			return 0;
		n++;
	}
	for (const char *p = name; *p && n < NAME_LIMIT; p++, n++)
		if (slot[n] != *p)
			return 0;
	return slot[n] == '\0';
}

static struct metric *find(struct metrics *m, const char *prefix, const char *name, int create)
{
	uint32_t h = fnv1a(prefix, name);
	struct metric *hit = NULL;

	for (int locked = 0; locked <= create; locked++) {
		if (locked)
			pthread_mutex_lock(&m->lock);
		for (uint32_t i = 0; i < METRICS_SLOTS; i++) {
			struct metric *s = &m->slot[(h + i) % METRICS_SLOTS];
			if (!atomic_load_explicit(&s->used, memory_order_acquire)) {
				if (locked) {
					snprintf(s->name, sizeof(s->name), "%s%s%s",
						 prefix ? prefix : "", prefix ? "." : "", name);
					atomic_store_explicit(&s->used, 1, memory_order_release);
					hit = s;
				}
				break;
			}
			if (name_eq(s->name, prefix, name)) {
				hit = s;
				break;
			}
		}
		if (locked)
			pthread_mutex_unlock(&m->lock);
		if (hit)
			break;
	}
	return hit;
}

void metrics_add(struct metrics *m, const char *prefix, const char *name, uint64_t n)
{
	struct metric *s = find(m, prefix, name, 1);

	if (!s)
		s = find(m, NULL, "metrics.overflow", 1);
	if (s)
		atomic_fetch_add_explicit(&s->value, n, memory_order_relaxed);
}

uint64_t metrics_get(struct metrics *m, const char *name)
{
	struct metric *s = find(m, NULL, name, 0);

	return s ? atomic_load_explicit(&s->value, memory_order_relaxed) : 0;
}

void metrics_dump_json(struct metrics *m, FILE *out)
{
	int first = 1;

	fputc('{', out);
	for (int i = 0; i < METRICS_SLOTS; i++) {
		struct metric *s = &m->slot[i];
		if (!atomic_load_explicit(&s->used, memory_order_acquire))
			continue;
		fprintf(out, "%s\"%s\":%llu", first ? "" : ",", s->name,
			(unsigned long long)atomic_load_explicit(&s->value, memory_order_relaxed));
		first = 0;
	}
	fputs("}\n", out);
}
