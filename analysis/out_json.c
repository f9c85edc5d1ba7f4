/*
 * out_json.c - the compact JSON the browser reads (doc/json.md): one object
 * per frame with its data sources and its tree, keys as sharkd's.
 */
#include "config.h"

#include <jansson.h>
#include <string.h>

#include "internal.h"

static json_t *
node_json(const struct tq_tree *t, const struct tq_node *n, struct tq_sbuf *tmp)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	tq_sbuf_reset(tmp);
	tq_node_label(n, tmp);
	json_object_set_new(o, "l", json_stringn(tq_sbuf_str(tmp), tmp->len));
	if (n->f) {
		json_object_set_new(o, "f", json_string(n->f->abbrev));
		tq_sbuf_reset(tmp);
		tq_node_show(n, tmp);
		if (tmp->len)
			json_object_set_new(o, "v", json_stringn(tq_sbuf_str(tmp), tmp->len));
	}
	json_t *h = json_array();
	json_array_append_new(h, json_integer(n->pos));
	json_array_append_new(h, json_integer(n->len));
	json_object_set_new(o, "h", h);
	if (n->ds)
		json_object_set_new(o, "ds", json_integer(n->ds));
	if (n->flags & NF_GENERATED)
		json_object_set_new(o, "g", json_true());
	if (n->flags & NF_EXPERT)
		json_object_set_new(o, "e", json_true());
	json_t *kids = NULL;
	for (const struct tq_node *c = n->child; c; c = c->next) {
		if (c->flags & NF_HIDDEN)
			continue;
		if (!kids)
			kids = json_array();
		json_array_append_new(kids, node_json(t, c, tmp));
	}
	if (kids)
		json_object_set_new(o, "n", kids);
	return o;
}

void
tq_write_json(struct tq_tree *t, struct tq_sbuf *out)
{
	json_t *root = json_object();
	struct tq_sbuf tmp;
	tq_sbuf_init(&tmp, 0);
	json_object_set_new(root, "frame", json_integer(t->num));
	json_t *srcs = json_array();
	for (unsigned i = 0; i < t->nds; i++) {
		json_t *d = json_object();
		tq_sbuf_reset(&tmp);
		tq_hexstr(t->ds[i].data, t->ds[i].len, 0, &tmp);
		json_object_set_new(d, "name", json_string(t->ds[i].name ? t->ds[i].name : ""));
		json_object_set_new(d, "bytes", json_stringn(tq_sbuf_str(&tmp), tmp.len));
		json_array_append_new(srcs, d);
	}
	json_object_set_new(root, "sources", srcs);
	json_t *tree = json_array();
	for (const struct tq_node *n = t->root.child; n; n = n->next)
		if (!(n->flags & NF_HIDDEN))
			json_array_append_new(tree, node_json(t, n, &tmp));
	json_object_set_new(root, "tree", tree);
	tq_sbuf_free(&tmp);
	char *s = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		tq_sbuf_puts(out, s);
		free(s);
	} else {
		out->err = TQ_ENOMEM;
	}
	json_decref(root);
}
