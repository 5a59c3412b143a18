/* offline.c — JSON Lines in, JSON Lines out, through the same pipeline. */
#include "offline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct line_buf {
	char *s;
	size_t cap;
	size_t len;
};

static int write_dead(FILE *f, const struct work_item *it, unsigned long long lineno)
{
	json_t *o = json_object();
	char *s = NULL;
	int rc = -ENOMEM;

	if (!o)
		goto out;
	json_object_set_new(o, "line", json_integer((json_int_t)lineno));
	if (it->id[0])
		json_object_set_new(o, "id", json_string(it->id));
	json_object_set_new(o, "reason", json_string(it->reason));
	json_object_set_new(o, "plugin", json_string(it->by));
	/* the original line, unchanged (any bytes: nocheck keeps them) */
	json_object_set_new(o, "payload", utf8_valid(it->payload, it->len)
						  ? json_stringn(it->payload, it->len)
						  : json_stringn_nocheck(it->payload, it->len));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s) {
		/* invalid UTF-8 cannot be dumped: say so instead of losing the line */
		json_object_set_new(o, "payload", json_null());
		json_object_set_new(o, "payload_note", json_string("input line is not UTF-8"));
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	if (!s)
		goto out;
	rc = fputs(s, f) < 0 || fputc('\n', f) == EOF ? -EIO : 0;
out:
	free(s);
	json_decref(o);
	return rc;
}

static int write_dropped(FILE *f, const struct work_item *it)
{
	json_t *o = it->out ? json_loadb(it->out, it->out_len, 0, NULL) : json_object();
	char *s;
	int rc;

	if (!o)
		return -ENOMEM;
	json_object_set_new(o, "dropped", json_pack("{s:s,s:s}", "plugin", it->by, "reason",
						     it->reason));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = !s || fputs(s, f) < 0 || fputc('\n', f) == EOF ? -EIO : 0;
	free(s);
	json_decref(o);
	return rc;
}

int offline_run(struct pipeline *p, size_t batch_size, const struct offline_io *io,
		struct logger *log, struct metrics *m, atomic_int *stop,
		struct offline_counts *counts, char *err, size_t errlen)
{
	struct line_buf *lines = calloc(batch_size, sizeof(*lines));
	struct work_item *items = calloc(batch_size, sizeof(*items));
	unsigned long long lineno = 0;
	int rc = 0, eof = 0;

	memset(counts, 0, sizeof(*counts));
	if (!lines || !items) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	while (!eof && !atomic_load(stop)) {
		size_t n = 0;
		for (; n < batch_size; n++) {
			ssize_t got = getline(&lines[n].s, &lines[n].cap, io->in);
			if (got < 0) {
				if (ferror(io->in)) {
					snprintf(err, errlen, "reading input: %s", strerror(errno));
					rc = -EIO;
					goto out;
				}
				eof = 1;
				break;
			}
			lines[n].len = (size_t)got;
			if (lines[n].len && lines[n].s[lines[n].len - 1] == '\n')
				lines[n].len--;
			if (lines[n].len && lines[n].s[lines[n].len - 1] == '\r')
				lines[n].len--;
			items[n] = (struct work_item){.payload = lines[n].s,
						      .len = lines[n].len,
						      .format = RECORD_FORMAT_JSON};
		}
		if (n == 0)
			break;
		int brc = pipeline_run_batch(p, items, n);
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct work_item *it = &items[i];
			lineno++;
			counts->input++;
			switch (it->outcome) {
			case ITEM_OUTPUT:
				counts->output++;
				if (fwrite(it->out, 1, it->out_len, io->out) != it->out_len ||
				    fputc('\n', io->out) == EOF)
					rc = -EIO;
				break;
			case ITEM_DEAD:
				counts->dead++;
				metrics_add(m, NULL, "records.dead", 1);
				LOGD(log, "line %llu dead-lettered by %s: %s", lineno, it->by, it->reason);
				rc = write_dead(io->dlq, it, lineno);
				break;
			case ITEM_DROPPED:
				counts->dropped++;
				metrics_add(m, NULL, "records.dropped", 1);
				if (io->dropped)
					rc = write_dropped(io->dropped, it);
				break;
			case ITEM_FATAL:
				counts->input--;
				snprintf(err, errlen, "line %llu: plugin '%s' failed fatally: %s",
					 lineno, it->by, it->reason);
				rc = -ECANCELED;
				break;
			}
			if (rc == -EIO)
				snprintf(err, errlen, "writing output: %s", strerror(errno));
		}
		metrics_add(m, NULL, "records.input", n);
		pipeline_items_reset(items, n);
		if (rc == 0 && brc < 0)
			rc = brc;
		if (rc < 0)
			goto out;
	}
	if (fflush(io->out) != 0 || fflush(io->dlq) != 0 || (io->dropped && fflush(io->dropped))) {
		snprintf(err, errlen, "writing output: %s", strerror(errno));
		rc = -EIO;
	}
out:
	for (size_t i = 0; lines && i < batch_size; i++)
		free(lines[i].s);
	free(lines);
	free(items);
	return rc;
}
