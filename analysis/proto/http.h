/* http.h - what HTTP shares with the body dissectors it hands entities to. */
#ifndef TQ_HTTP_H
#define TQ_HTTP_H

#include "../internal.h"

/* The media types of HTTP bodies (Wireshark's "media_type" table), each
 * called with the body and the lower-case media type: they return nonzero
 * when they took the body. */
int tq_dissect_json(struct tq_pkt *pk, struct tq_slice *s, const char *media);
int tq_dissect_text_lines(struct tq_pkt *pk, struct tq_slice *s, const char *media);
void tq_register_json(void);
/* The same, saying in Info which media type it was only when info is set. */
int tq_text_lines(struct tq_pkt *pk, struct tq_slice *s, const char *media, int info);

#endif
