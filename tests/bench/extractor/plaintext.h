/* plaintext.h — plain-text normalisation used to wrap raw sample files as
 * records for the extractor when the cleaner is not in the loop: NBSP and
 * tabs become spaces, every line is trimmed, empty lines are dropped, and
 * lines are joined by a blank line (the cleaner's paragraph separator).
 * Returns a malloc'd string (owned by the caller) or NULL. */
#ifndef EXTRACTOR_PLAINTEXT_H
#define EXTRACTOR_PLAINTEXT_H

#include <stdlib.h>
#include <string.h>

static inline char *plaintext_paragraphs(const char *s, size_t n)
{
	char *out = malloc(n * 2 + 2);
	size_t o = 0, i = 0;

	if (!out)
		return NULL;
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		/* copy the line with NBSP/tab/CR as spaces, trimmed */
		size_t start = o;
		int space = 0;
		for (size_t k = i; k < e; k++) {
			unsigned char c = (unsigned char)s[k];
			int sp = c == ' ' || c == '\t' || c == '\r';
			if (c == 0xC2 && k + 1 < e && (unsigned char)s[k + 1] == 0xA0) {
				sp = 1;
				k++;
			}
			if (sp) {
				space = o > start;
				continue;
			}
			if (space)
				out[o++] = ' ';
			space = 0;
			out[o++] = (char)c;
		}
		if (o > start) {
			/* move the line after a separator */
			if (start > 0) {
				memmove(out + start + 2, out + start, o - start);
				out[start] = '\n';
				out[start + 1] = '\n';
				o += 2;
			}
		}
		i = e + 1;
	}
	out[o] = '\0';
	return out;
}

#endif
