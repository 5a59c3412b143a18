/* entry.c — see entry.h. */
#include "entry.h"

#include <string.h>

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t get32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static uint64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

size_t dd_entry_encode(const struct dd_entry *e, unsigned char *buf)
{
	size_t n = 24, of_len = e->of ? e->of_len : 0;

	if (of_len > UINT16_MAX)
		of_len = UINT16_MAX;
	buf[0] = DD_ENTRY_VERSION;
	buf[1] = e->status;
	buf[2] = (unsigned char)((e->has_exact ? 1 : 0) | (e->has_sketch ? 2 : 0));
	buf[3] = 0;
	put16(buf + 4, e->sim);
	put16(buf + 6, (uint16_t)of_len);
	put32(buf + 8, e->params);
	put32(buf + 12, e->nshingles);
	put64(buf + 16, (uint64_t)e->time);
	if (e->has_exact) {
		put64(buf + n, e->exact[0]);
		put64(buf + n + 8, e->exact[1]);
		n += 16;
	}
	if (of_len) {
		memcpy(buf + n, e->of, of_len);
		n += of_len;
	}
	if (e->has_sketch) {
		memcpy(buf + n, e->sk.sig, DD_K);
		n += DD_K;
	}
	return n;
}

int dd_entry_decode(const unsigned char *buf, size_t len, struct dd_entry *e)
{
	size_t n = 24;

	memset(e, 0, sizeof(*e));
	if (len < n || buf[0] != DD_ENTRY_VERSION || buf[1] > 2)
		return -1;
	e->status = buf[1];
	e->has_exact = buf[2] & 1;
	e->has_sketch = (buf[2] & 2) != 0;
	e->sim = get16(buf + 4);
	e->of_len = get16(buf + 6);
	e->params = get32(buf + 8);
	e->nshingles = get32(buf + 12);
	e->time = (int64_t)get64(buf + 16);
	if (e->has_exact) {
		if (len < n + 16)
			return -1;
		e->exact[0] = get64(buf + n);
		e->exact[1] = get64(buf + n + 8);
		n += 16;
	}
	if (len < n + e->of_len)
		return -1;
	e->of = e->of_len ? (const char *)buf + n : NULL;
	n += e->of_len;
	if (e->has_sketch) {
		if (len < n + DD_K)
			return -1;
		memcpy(e->sk.sig, buf + n, DD_K);
		n += DD_K;
	}
	return n == len ? 0 : -1;
}
