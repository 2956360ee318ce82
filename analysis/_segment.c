/*
 * analysis._segment: jieba's precise mode, compiled, with counting built in.
 *
 * The same algorithm and data as jieba 0.42 (``jieba.Tokenizer.cut``): the text is split into
 * blocks of [\u4E00-\u9FD5a-zA-Z0-9+#&._%-]; in each block a DAG of the dictionary words
 * starting at every character (a prefix trie of jieba's FREQ table), the most probable route
 * through it (log frequencies, ties to the longer word), and runs of single characters the
 * dictionary does not know handed to jieba's HMM (finalseg: Viterbi over B/M/E/S with jieba's
 * own probabilities). Outside the blocks every character is a token ("\r\n" one token).
 * Floating-point steps are done in the order Python does them, so routes tie and break the
 * same way; tests/test_segmenter_parity.py compares every token with jieba's on real corpora.
 *
 * Why: cutting with jieba-rs and numbering its tokens in Python creates a Python string per
 * token (3.6 million for 20 MB of text), which cost more than the cutting. ``count`` cuts a
 * list of texts and counts the tokens in C, outside the GIL, returning only the distinct terms
 * (sorted) and the text x term counts as a CSR matrix, each row's columns ascending.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_VERSION "1"
#define MIN_FLOAT (-3.14e100)
#define HAN_LO 0x4E00
#define HAN_HI 0x9FD5
#define N_HAN (HAN_HI - HAN_LO + 1)
#define ROOT_DIRECT 0x10000 /* children of the root by code point: the first step is one load */

enum { B = 0, M = 1, E = 2, S = 3 };

static inline int is_han(Py_UCS4 c) { return c >= HAN_LO && c <= HAN_HI; }
static inline int is_digit(Py_UCS4 c) { return c >= '0' && c <= '9'; }
static inline int is_alnum(Py_UCS4 c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c); }
static inline int in_block(Py_UCS4 c) {
    return is_han(c) || is_alnum(c) || c == '+' || c == '#' || c == '&' || c == '.' || c == '_' || c == '%' || c == '-';
}

/* ---------------------------------------------------------------- prefix trie (jieba's FREQ) */

typedef struct {
    int32_t *root;       /* ROOT_DIRECT children of node 0; 0 = none */
    uint64_t *keys;      /* (node << 21 | code point) + 1 -> child; 0 = empty slot */
    int32_t *vals;
    size_t cap, used;
    int shift;
    int64_t *freq;       /* per node: FREQ[prefix] (0 for a prefix that is not a word) */
    double *lf;          /* log(freq or 1) */
    uint8_t *force;      /* added with frequency 0: the HMM must split it */
    size_t n, ncap;
    int64_t total;
    double logtotal;
    size_t n_force;
} Trie;

static inline size_t slot_of(const Trie *t, uint64_t key) {
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> t->shift);
}

static inline int32_t trie_child(const Trie *t, int32_t node, Py_UCS4 c) {
    if (node == 0 && c < ROOT_DIRECT) return t->root[c];
    uint64_t key = (((uint64_t)node << 21) | c) + 1;
    size_t mask = t->cap - 1, i = slot_of(t, key);
    for (;;) {
        uint64_t k = t->keys[i];
        if (k == key) return t->vals[i];
        if (k == 0) return 0;
        i = (i + 1) & mask;
    }
}

static int trie_grow_table(Trie *t) {
    size_t cap = t->cap * 2;
    uint64_t *keys = calloc(cap, sizeof *keys);
    int32_t *vals = malloc(cap * sizeof *vals);
    if (!keys || !vals) { free(keys); free(vals); return -1; }
    uint64_t *old_keys = t->keys; int32_t *old_vals = t->vals; size_t old_cap = t->cap;
    t->keys = keys; t->vals = vals; t->cap = cap; t->shift--;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old_keys[i]) continue;
        size_t j = slot_of(t, old_keys[i]);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = old_keys[i]; vals[j] = old_vals[i];
    }
    free(old_keys); free(old_vals);
    return 0;
}

static int32_t trie_new_node(Trie *t) {
    if (t->n == t->ncap) {
        size_t ncap = t->ncap * 2;
        int64_t *freq = realloc(t->freq, ncap * sizeof *freq);
        if (freq) t->freq = freq;
        double *lf = realloc(t->lf, ncap * sizeof *lf);
        if (lf) t->lf = lf;
        uint8_t *force = realloc(t->force, ncap * sizeof *force);
        if (force) t->force = force;
        if (!freq || !lf || !force) return -1;
        t->ncap = ncap;
    }
    t->freq[t->n] = 0; t->lf[t->n] = 0.0; t->force[t->n] = 0;
    return (int32_t)t->n++;
}

/* The child of node for c, made if missing (a prefix enters FREQ with frequency 0). */
static int32_t trie_child_or_new(Trie *t, int32_t node, Py_UCS4 c) {
    int32_t found = trie_child(t, node, c);
    if (found) return found;
    int32_t child = trie_new_node(t);
    if (child < 0) return -1;
    if (node == 0 && c < ROOT_DIRECT) { t->root[c] = child; return child; }
    if ((t->used + 1) * 2 > t->cap && trie_grow_table(t) < 0) return -1;
    uint64_t key = (((uint64_t)node << 21) | c) + 1;
    size_t i = slot_of(t, key);
    while (t->keys[i]) i = (i + 1) & (t->cap - 1);
    t->keys[i] = key; t->vals[i] = child; t->used++;
    return child;
}

static int trie_init(Trie *t) {
    memset(t, 0, sizeof *t);
    t->root = calloc(ROOT_DIRECT, sizeof *t->root);
    t->cap = 1 << 20; t->shift = 64 - 20;
    t->keys = calloc(t->cap, sizeof *t->keys);
    t->vals = malloc(t->cap * sizeof *t->vals);
    t->ncap = 1 << 19;
    t->freq = malloc(t->ncap * sizeof *t->freq);
    t->lf = malloc(t->ncap * sizeof *t->lf);
    t->force = malloc(t->ncap * sizeof *t->force);
    if (!t->root || !t->keys || !t->vals || !t->freq || !t->lf || !t->force) return -1;
    t->freq[0] = 0; t->lf[0] = 0.0; t->force[0] = 0; t->n = 1; /* node 0: the empty prefix */
    return 0;
}

static void trie_free(Trie *t) {
    free(t->root); free(t->keys); free(t->vals); free(t->freq); free(t->lf); free(t->force);
    memset(t, 0, sizeof *t);
}

/* FREQ[word] = freq, its prefixes into FREQ, total += freq: jieba's gen_pfdict and add_word. */
static int trie_set(Trie *t, const Py_UCS4 *w, Py_ssize_t len, int64_t freq) {
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        node = trie_child_or_new(t, node, w[i]);
        if (node < 0) return -1;
    }
    t->freq[node] = freq;
    t->lf[node] = log((double)(freq ? freq : 1));
    t->total += freq;
    t->logtotal = log((double)t->total);
    return node;
}

/* The node of word w, 0 if w is not in FREQ. */
static inline int32_t trie_find(const Trie *t, const Py_UCS4 *w, Py_ssize_t len) {
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < len; i++)
        if (!(node = trie_child(t, node, w[i]))) return 0;
    return node;
}

/* ---------------------------------------------------------------- tokens out */

typedef struct Sink Sink;
struct Sink {
    int (*emit)(Sink *sink, const Py_UCS4 *s, Py_ssize_t start, Py_ssize_t end);
};

typedef struct {  /* scratch space, grown as needed: route and Viterbi tables */
    double *rv; int32_t *rx; size_t rcap;
    double *v; uint8_t *bp; uint8_t *pos; size_t vcap;
} Work;

static void work_free(Work *w) { free(w->rv); free(w->rx); free(w->v); free(w->bp); free(w->pos); memset(w, 0, sizeof *w); }

static int work_route(Work *w, size_t n) {
    if (n <= w->rcap) return 0;
    size_t cap = n > 2 * w->rcap ? n : 2 * w->rcap;
    double *rv = realloc(w->rv, cap * sizeof *rv); if (!rv) return -1; w->rv = rv;
    int32_t *rx = realloc(w->rx, cap * sizeof *rx); if (!rx) return -1; w->rx = rx;
    w->rcap = cap;
    return 0;
}

static int work_viterbi(Work *w, size_t n) {
    if (n <= w->vcap) return 0;
    size_t cap = n > 2 * w->vcap ? n : 2 * w->vcap;
    double *v = realloc(w->v, 4 * cap * sizeof *v); if (!v) return -1; w->v = v;
    uint8_t *bp = realloc(w->bp, 4 * cap); if (!bp) return -1; w->bp = bp;
    uint8_t *pos = realloc(w->pos, cap); if (!pos) return -1; w->pos = pos;
    w->vcap = cap;
    return 0;
}

/* ---------------------------------------------------------------- the segmenter */

typedef struct {
    PyObject_HEAD
    Trie trie;
    double start[4], trans[4][4];
    double *emit;        /* 4 x N_HAN: emit_P[state][char], MIN_FLOAT where jieba has none */
    Py_ssize_t cutting;  /* calls cutting without the GIL: the dictionary must not change meanwhile */
} Jieba;

/* Which state the comparison max((prob, state) ...) prefers on a tie: the larger letter. */
static const int letter_rank[4] = {0 /* B */, 2 /* M */, 1 /* E */, 3 /* S */};
static const int prev_states[4][2] = {{E, S} /* B */, {M, B} /* M */, {B, M} /* E */, {S, E} /* S */};

static inline double emit_p(const Jieba *j, int state, Py_UCS4 c) { return j->emit[state * N_HAN + (c - HAN_LO)]; }

/* finalseg.__cut on s[a:b] (all Han): Viterbi, then the B/M/E/S tags as words. */
static int hmm_han(const Jieba *j, Work *w, const Py_UCS4 *s, Py_ssize_t a, Py_ssize_t b, Sink *out) {
    Py_ssize_t n = b - a;
    if (work_viterbi(w, (size_t)n) < 0) return -1;
    double *v = w->v;
    for (int y = 0; y < 4; y++) v[y] = j->start[y] + emit_p(j, y, s[a]);
    for (Py_ssize_t t = 1; t < n; t++) {
        double *prev = v + 4 * (t - 1), *cur = v + 4 * t;
        for (int y = 0; y < 4; y++) {
            double em = emit_p(j, y, s[a + t]);
            int y0 = prev_states[y][0], y1 = prev_states[y][1];
            double p0 = prev[y0] + j->trans[y0][y] + em, p1 = prev[y1] + j->trans[y1][y] + em;
            int take1 = p1 > p0 || (p1 == p0 && letter_rank[y1] > letter_rank[y0]);
            cur[y] = take1 ? p1 : p0;
            w->bp[4 * t + y] = (uint8_t)(take1 ? y1 : y0);
        }
    }
    double *last = v + 4 * (n - 1);
    int state = last[S] >= last[E] ? S : E;
    for (Py_ssize_t t = n - 1; t >= 0; t--) {
        w->pos[t] = (uint8_t)state;
        if (t) state = w->bp[4 * t + state];
    }
    Py_ssize_t begin = 0, next = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int p = w->pos[i];
        Py_ssize_t from = -1, to = -1;
        if (p == B) begin = i;
        else if (p == E) { from = begin; to = i + 1; next = i + 1; }
        else if (p == S) { from = i; to = i + 1; next = i + 1; }
        if (from < 0) continue;
        if (j->trie.n_force && to - from > 1) {
            int32_t node = trie_find(&j->trie, s + a + from, to - from);
            if (node && j->trie.force[node]) {
                for (Py_ssize_t k = from; k < to; k++)
                    if (out->emit(out, s, a + k, a + k + 1) < 0) return -1;
                continue;
            }
        }
        if (out->emit(out, s, a + from, a + to) < 0) return -1;
    }
    if (next < n && out->emit(out, s, a + next, b) < 0) return -1;
    return 0;
}

/* finalseg.cut on s[a:b]: Han runs by the HMM; between them, runs matching
 * [a-zA-Z0-9]+(?:\.\d+)?% as tokens and the stretches between those as tokens. */
static int hmm_cut(const Jieba *j, Work *w, const Py_UCS4 *s, Py_ssize_t a, Py_ssize_t b, Sink *out) {
    Py_ssize_t i = a;
    while (i < b) {
        Py_ssize_t k = i;
        if (is_han(s[i])) {
            while (k < b && is_han(s[k])) k++;
            if (hmm_han(j, w, s, i, k, out) < 0) return -1;
        } else {
            while (k < b && !is_han(s[k])) k++;
            Py_ssize_t p = i, gap = i;
            while (p < k) {
                if (!is_alnum(s[p])) { p++; continue; }
                Py_ssize_t m = p;
                while (m < k && is_alnum(s[m])) m++;
                if (m + 1 < k && s[m] == '.' && is_digit(s[m + 1])) {
                    m += 2;
                    while (m < k && is_digit(s[m])) m++;
                }
                if (m < k && s[m] == '%') m++;
                if (gap < p && out->emit(out, s, gap, p) < 0) return -1;
                if (out->emit(out, s, p, m) < 0) return -1;
                p = gap = m;
            }
            if (gap < k && out->emit(out, s, gap, k) < 0) return -1;
        }
        i = k;
    }
    return 0;
}

/* A run of single-character route steps s[a:b]: __cut_DAG's handling of its buffer. */
static int flush_single(const Jieba *j, Work *w, const Py_UCS4 *s, Py_ssize_t a, Py_ssize_t b, Sink *out) {
    if (b - a == 1) return out->emit(out, s, a, b);
    int32_t node = trie_find(&j->trie, s + a, b - a);
    if (!(node && j->trie.freq[node])) return hmm_cut(j, w, s, a, b, out);
    for (Py_ssize_t k = a; k < b; k++)
        if (out->emit(out, s, k, k + 1) < 0) return -1;
    return 0;
}

/* One block s[a:b]: get_DAG + calc (fused, right to left), then __cut_DAG or __cut_DAG_NO_HMM. */
static int cut_block(const Jieba *j, Work *w, const Py_UCS4 *s, Py_ssize_t a, Py_ssize_t b, int hmm, Sink *out) {
    const Trie *t = &j->trie;
    Py_ssize_t n = b - a;
    if (work_route(w, (size_t)n + 1) < 0) return -1;
    double *rv = w->rv, logtotal = t->logtotal;
    int32_t *rx = w->rx;
    const Py_UCS4 *x = s + a;
    rv[n] = 0.0; rx[n] = 0;
    for (Py_ssize_t idx = n - 1; idx >= 0; idx--) {
        double best = 0.0;
        Py_ssize_t best_end = -1;
        int32_t node = 0;
        for (Py_ssize_t i = idx; i < n; i++) {
            node = trie_child(t, node, x[i]);
            if (!node) break;
            if (t->freq[node]) {
                double value = t->lf[node] - logtotal + rv[i + 1];
                if (best_end < 0 || value >= best) { best = value; best_end = i; }  /* ties: the later end */
            }
        }
        if (best_end < 0) { best = 0.0 - logtotal + rv[idx + 1]; best_end = idx; }
        rv[idx] = best; rx[idx] = (int32_t)best_end;
    }
    Py_ssize_t i = 0, single = -1;  /* start of the current run of single-character steps */
    while (i < n) {
        Py_ssize_t y = rx[i] + 1;
        int one = y - i == 1 && (hmm || is_alnum(x[i]));
        if (one) {
            if (single < 0) single = i;
        } else {
            if (single >= 0) {
                int r = hmm ? flush_single(j, w, s, a + single, a + i, out) : out->emit(out, s, a + single, a + i);
                if (r < 0) return -1;
                single = -1;
            }
            if (out->emit(out, s, a + i, a + y) < 0) return -1;
        }
        i = y;
    }
    if (single >= 0) return hmm ? flush_single(j, w, s, a + single, b, out) : out->emit(out, s, a + single, b);
    return 0;
}

/* jieba.Tokenizer.cut(text, HMM=hmm) on s[0:n]. */
static int cut_text(const Jieba *j, Work *w, const Py_UCS4 *s, Py_ssize_t n, int hmm, Sink *out) {
    Py_ssize_t i = 0;
    while (i < n) {
        if (in_block(s[i])) {
            Py_ssize_t k = i + 1;
            while (k < n && in_block(s[k])) k++;
            if (cut_block(j, w, s, i, k, hmm, out) < 0) return -1;
            i = k;
        } else {
            Py_ssize_t k = s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? i + 2 : i + 1;
            if (out->emit(out, s, i, k) < 0) return -1;
            i = k;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- sinks */

typedef struct {  /* token spans, for cut() */
    Sink base;
    Py_ssize_t *spans; size_t n, cap;
} SpanSink;

static int span_emit(Sink *sink, const Py_UCS4 *s, Py_ssize_t start, Py_ssize_t end) {
    (void)s;
    SpanSink *k = (SpanSink *)sink;
    if (k->n + 2 > k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 256;
        Py_ssize_t *spans = realloc(k->spans, cap * sizeof *spans);
        if (!spans) return -1;
        k->spans = spans; k->cap = cap;
    }
    k->spans[k->n++] = start; k->spans[k->n++] = end;
    return 0;
}

typedef struct { const Py_UCS4 *text; int32_t len; } Term;

typedef struct {  /* term ids, for count(): a hash table of the distinct tokens */
    Sink base;
    uint64_t *hashes; int32_t *slots;  /* slot -> term id + 1 (0 empty) */
    size_t cap;
    Term *terms; size_t n_terms, terms_cap;
    int32_t *ids; size_t n_ids, ids_cap;
} CountSink;

static inline uint64_t hash_chars(const Py_UCS4 *s, Py_ssize_t n) {
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)n;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ s[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static int count_grow(CountSink *k) {
    size_t cap = k->cap * 2;
    uint64_t *hashes = malloc(cap * sizeof *hashes);
    int32_t *slots = calloc(cap, sizeof *slots);
    if (!hashes || !slots) { free(hashes); free(slots); return -1; }
    for (size_t i = 0; i < k->cap; i++) {
        if (!k->slots[i]) continue;
        size_t p = k->hashes[i] & (cap - 1);
        while (slots[p]) p = (p + 1) & (cap - 1);
        slots[p] = k->slots[i]; hashes[p] = k->hashes[i];
    }
    free(k->hashes); free(k->slots);
    k->hashes = hashes; k->slots = slots; k->cap = cap;
    return 0;
}

static int count_emit(Sink *sink, const Py_UCS4 *s, Py_ssize_t start, Py_ssize_t end) {
    CountSink *k = (CountSink *)sink;
    const Py_UCS4 *text = s + start;
    int32_t len = (int32_t)(end - start);
    uint64_t h = hash_chars(text, len);
    size_t p = h & (k->cap - 1);
    int32_t id = -1;
    for (;;) {
        int32_t slot = k->slots[p];
        if (!slot) break;
        if (k->hashes[p] == h) {
            Term *term = &k->terms[slot - 1];
            if (term->len == len && memcmp(term->text, text, (size_t)len * sizeof *text) == 0) { id = slot - 1; break; }
        }
        p = (p + 1) & (k->cap - 1);
    }
    if (id < 0) {
        if (k->n_terms == k->terms_cap) {
            size_t cap = 2 * k->terms_cap;
            Term *terms = realloc(k->terms, cap * sizeof *terms);
            if (!terms) return -1;
            k->terms = terms; k->terms_cap = cap;
        }
        id = (int32_t)k->n_terms++;
        k->terms[id].text = text; k->terms[id].len = len;
        k->slots[p] = id + 1; k->hashes[p] = h;
        if (k->n_terms * 2 > k->cap && count_grow(k) < 0) return -1;
    }
    if (k->n_ids == k->ids_cap) {
        size_t cap = 2 * k->ids_cap;
        int32_t *ids = realloc(k->ids, cap * sizeof *ids);
        if (!ids) return -1;
        k->ids = ids; k->ids_cap = cap;
    }
    k->ids[k->n_ids++] = id;
    return 0;
}

/* ---------------------------------------------------------------- counts as a sparse matrix */

typedef struct { const Py_UCS4 *text; int32_t len, id; } SortTerm;

/* Order of two terms as Python orders str: code point by code point, a prefix first. */
static int compare_terms(const void *a, const void *b) {
    const SortTerm *x = a, *y = b;
    int32_t n = x->len < y->len ? x->len : y->len;
    for (int32_t i = 0; i < n; i++)
        if (x->text[i] != y->text[i]) return x->text[i] < y->text[i] ? -1 : 1;
    return (x->len > y->len) - (x->len < y->len);
}

static int compare_ints(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

typedef struct {  /* a CSR matrix of counts: rows are texts, columns the terms in sorted order */
    int32_t *order;    /* term ids in sorted order */
    int64_t *indptr;   /* n_rows + 1 */
    int32_t *indices, *data;
    size_t nnz;
} Counts;

static void counts_free(Counts *c) { free(c->order); free(c->indptr); free(c->indices); free(c->data); memset(c, 0, sizeof *c); }

/* Terms sorted, then each text's tokens counted by column, columns ascending in each row. */
static int make_counts(const CountSink *k, const int64_t *lengths, Py_ssize_t n_rows, Counts *c) {
    size_t n_terms = k->n_terms;
    memset(c, 0, sizeof *c);
    c->order = malloc((n_terms + 1) * sizeof *c->order);
    int32_t *rank = malloc((n_terms + 1) * sizeof *rank), *seen = calloc(n_terms + 1, sizeof *seen);
    c->indptr = malloc(((size_t)n_rows + 1) * sizeof *c->indptr);
    c->indices = malloc((k->n_ids + 1) * sizeof *c->indices);  /* at most one entry per token */
    c->data = malloc((k->n_ids + 1) * sizeof *c->data);
    if (!c->order || !rank || !seen || !c->indptr || !c->indices || !c->data) { free(rank); free(seen); counts_free(c); return -1; }
    SortTerm *sorted = malloc((n_terms + 1) * sizeof *sorted);
    if (!sorted) { free(rank); free(seen); counts_free(c); return -1; }
    for (size_t i = 0; i < n_terms; i++) sorted[i] = (SortTerm){k->terms[i].text, k->terms[i].len, (int32_t)i};
    qsort(sorted, n_terms, sizeof *sorted, compare_terms);
    for (size_t i = 0; i < n_terms; i++) {
        c->order[i] = sorted[i].id;
        rank[sorted[i].id] = (int32_t)i;
    }
    free(sorted);
    const int32_t *ids = k->ids;
    size_t nnz = 0;
    c->indptr[0] = 0;
    for (Py_ssize_t row = 0; row < n_rows; row++) {
        size_t first = nnz;
        for (int64_t t = 0; t < lengths[row]; t++) {
            int32_t column = rank[*ids++];
            if (!seen[column]++) c->indices[nnz++] = column;
        }
        qsort(c->indices + first, nnz - first, sizeof *c->indices, compare_ints);
        for (size_t e = first; e < nnz; e++) {
            c->data[e] = seen[c->indices[e]];
            seen[c->indices[e]] = 0;
        }
        c->indptr[row + 1] = (int64_t)nnz;
    }
    c->nnz = nnz;
    free(rank); free(seen);
    return 0;
}

/* ---------------------------------------------------------------- Python methods */

static int read_double(PyObject *mapping, const char *key, double *out) {
    PyObject *value = PyMapping_GetItemString(mapping, key);
    if (!value) return -1;
    *out = PyFloat_AsDouble(value);
    Py_DECREF(value);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

static const char *state_names[4] = {"B", "M", "E", "S"};

/* The HMM's tables from jieba.finalseg's start_P, trans_P and emit_P. */
static int load_hmm(Jieba *j, PyObject *start, PyObject *trans, PyObject *emit) {
    for (int y = 0; y < 4; y++) {
        if (read_double(start, state_names[y], &j->start[y]) < 0) return -1;
        PyObject *row = PyMapping_GetItemString(trans, state_names[y]);
        if (!row) return -1;
        for (int z = 0; z < 4; z++) {
            PyObject *value = PyMapping_HasKeyString(row, state_names[z]) ? PyMapping_GetItemString(row, state_names[z]) : NULL;
            j->trans[y][z] = value ? PyFloat_AsDouble(value) : MIN_FLOAT;
            Py_XDECREF(value);
        }
        Py_DECREF(row);
    }
    j->emit = malloc(4 * N_HAN * sizeof *j->emit);
    if (!j->emit) { PyErr_NoMemory(); return -1; }
    for (size_t i = 0; i < 4 * (size_t)N_HAN; i++) j->emit[i] = MIN_FLOAT;
    for (int y = 0; y < 4; y++) {
        PyObject *row = PyMapping_GetItemString(emit, state_names[y]);
        if (!row || !PyDict_Check(row)) { Py_XDECREF(row); if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "emit_P rows must be dicts"); return -1; }
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(row, &pos, &key, &value)) {
            if (!PyUnicode_Check(key) || PyUnicode_GetLength(key) != 1) continue;
            Py_UCS4 c = PyUnicode_ReadChar(key, 0);
            if (!is_han(c)) continue;  /* the HMM only ever sees Han characters */
            double p = PyFloat_AsDouble(value);
            if (p == -1.0 && PyErr_Occurred()) { Py_DECREF(row); return -1; }
            j->emit[y * N_HAN + (c - HAN_LO)] = p;
        }
        Py_DECREF(row);
    }
    return 0;
}

/* Decode one UTF-8 word; returns its length in code points, -1 if not valid UTF-8. */
static Py_ssize_t decode_utf8(const unsigned char *p, size_t n, Py_UCS4 *out) {
    Py_ssize_t len = 0;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        Py_UCS4 cp; int extra;
        if (c < 0x80) { cp = c; extra = 0; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; extra = 1; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; extra = 2; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; extra = 3; }
        else return -1;
        for (int e = 1; e <= extra; e++) {
            if (i + e >= n || (p[i + e] & 0xC0) != 0x80) return -1;
            cp = (cp << 6) | (p[i + e] & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        out[len++] = cp;
        i += (size_t)extra + 1;
    }
    return len;
}

static inline int is_ascii_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* The whole file, read at once (NUL-terminated); NULL with an OSError set. */
static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) { PyErr_SetFromErrnoWithFilename(PyExc_OSError, path); return NULL; }
    size_t cap = 1 << 20, n = 0;
    char *data = malloc(cap + 1);
    while (data) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap) break;
        char *grown = realloc(data, 2 * cap + 1);
        if (!grown) { free(data); data = NULL; break; }
        data = grown; cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!data) { PyErr_NoMemory(); return NULL; }
    if (failed) { free(data); PyErr_SetFromErrnoWithFilename(PyExc_OSError, path); return NULL; }
    data[n] = 0;
    *size = n;
    return data;
}

/* jieba's gen_pfdict over the dictionary file: "word freq [tag]" per line. */
static int load_dictionary(Jieba *j, const char *path) {
    size_t size;
    char *data = read_file(path, &size);
    if (!data) return -1;
    Py_UCS4 *word = malloc((size + 1) * sizeof *word);  /* no word is longer than the file */
    if (!word) { free(data); PyErr_NoMemory(); return -1; }
    int status = 0;
    long lineno = 0;
    unsigned char *next = (unsigned char *)data, *stop = next + size;
    while (next < stop) {
        unsigned char *p = next, *q = memchr(p, '\n', (size_t)(stop - p));
        q = q ? q : stop;
        next = q + 1;
        lineno++;
        while (p < q && is_ascii_space(*p)) p++;  /* line.strip() */
        while (q > p && is_ascii_space(q[-1])) q--;
        unsigned char *space = memchr(p, ' ', (size_t)(q - p));
        int ok = space != NULL;
        int64_t freq = 0;
        Py_ssize_t wlen = -1;
        if (ok) {  /* int() of the second field */
            unsigned char *d = space + 1, *end = memchr(d, ' ', (size_t)(q - d));
            end = end ? end : q;
            int negative = 0;
            if (d < end && (*d == '+' || *d == '-')) { negative = *d == '-'; d++; }
            ok = d < end;
            for (; ok && d < end; d++) {
                if (!is_digit(*d)) ok = 0;
                else freq = freq * 10 + (*d - '0');
            }
            if (negative) freq = -freq;
        }
        if (ok) {
            wlen = decode_utf8(p, (size_t)(space - p), word);
            ok = wlen >= 0;
        }
        if (!ok) {
            PyErr_Format(PyExc_ValueError, "invalid dictionary entry in %s at Line %ld", path, lineno);
            status = -1;
            break;
        }
        if (trie_set(&j->trie, word, wlen, freq) < 0) { PyErr_NoMemory(); status = -1; break; }
    }
    free(word); free(data);
    return status;
}

static void Jieba_dealloc(Jieba *self) {
    trie_free(&self->trie);
    free(self->emit);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Jieba_init(Jieba *self, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"dictionary", "start_p", "trans_p", "emit_p", NULL};
    PyObject *path, *start, *trans, *emit;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&OOO", names, PyUnicode_FSConverter, &path, &start, &trans, &emit)) return -1;
    if (self->emit) { Py_DECREF(path); PyErr_SetString(PyExc_RuntimeError, "Jieba is already initialised"); return -1; }
    int status = -1;
    if (trie_init(&self->trie) < 0) { PyErr_NoMemory(); goto out; }
    if (load_hmm(self, start, trans, emit) < 0) goto out;
    if (load_dictionary(self, PyBytes_AS_STRING(path)) < 0) goto out;
    status = 0;
out:
    Py_DECREF(path);
    return status;
}

static int check_ready(Jieba *self) {
    if (!self->emit) { PyErr_SetString(PyExc_RuntimeError, "Jieba is not initialised"); return -1; }
    return 0;
}

/* The UCS4 copy of a str argument (free with PyMem_Free). */
static Py_UCS4 *ucs4_of(PyObject *text, Py_ssize_t *n) {
    if (!PyUnicode_Check(text)) { PyErr_Format(PyExc_TypeError, "expected str, got %.80s", Py_TYPE(text)->tp_name); return NULL; }
    *n = PyUnicode_GetLength(text);
    return PyUnicode_AsUCS4Copy(text);
}

/* The cut of s[0:n] as a list of str. */
static PyObject *spans_cut(Jieba *self, const Py_UCS4 *s, Py_ssize_t n, int hmm) {
    SpanSink sink = {{span_emit}, NULL, 0, 0};
    Work w = {0};
    int r = cut_text(self, &w, s, n, hmm, &sink.base);
    work_free(&w);
    if (r < 0) { free(sink.spans); return PyErr_NoMemory(); }
    PyObject *list = PyList_New((Py_ssize_t)(sink.n / 2));
    for (size_t i = 0; list && i < sink.n / 2; i++) {
        PyObject *token = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s + sink.spans[2 * i], sink.spans[2 * i + 1] - sink.spans[2 * i]);
        if (!token) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, token);
    }
    free(sink.spans);
    return list;
}

static PyObject *Jieba_cut(Jieba *self, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"text", "hmm", NULL};
    PyObject *text;
    int hmm = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p", names, &text, &hmm) || check_ready(self) < 0) return NULL;
    Py_ssize_t n;
    Py_UCS4 *s = ucs4_of(text, &n);
    if (!s) return NULL;
    PyObject *result = spans_cut(self, s, n, hmm);
    PyMem_Free(s);
    return result;
}

/* Cut every text (outside the GIL) into the sink; as_matrix: return the counts (CSR, terms
 * sorted), else the term id of every token (terms in order of first appearance). */
static PyObject *cut_texts(Jieba *self, PyObject *args, PyObject *kwargs, int as_matrix) {
    static char *names[] = {"texts", "hmm", NULL};
    PyObject *texts_arg;
    int hmm = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|p", names, &texts_arg, &hmm) || check_ready(self) < 0) return NULL;
    PyObject *texts = PySequence_Fast(texts_arg, "texts must be a sequence of str");
    if (!texts) return NULL;
    Py_ssize_t n_texts = PySequence_Fast_GET_SIZE(texts);
    Py_UCS4 **copies = calloc((size_t)n_texts + 1, sizeof *copies);
    Py_ssize_t *lens = calloc((size_t)n_texts + 1, sizeof *lens);
    int64_t *lengths = calloc((size_t)n_texts + 1, sizeof *lengths);
    PyObject *result = NULL;
    CountSink sink = {{count_emit}, NULL, NULL, 1 << 14, NULL, 0, 1 << 12, NULL, 0, 1 << 16};
    sink.hashes = malloc(sink.cap * sizeof *sink.hashes);
    sink.slots = calloc(sink.cap, sizeof *sink.slots);
    sink.terms = malloc(sink.terms_cap * sizeof *sink.terms);
    sink.ids = malloc(sink.ids_cap * sizeof *sink.ids);
    if (!copies || !lens || !lengths || !sink.hashes || !sink.slots || !sink.terms || !sink.ids) { PyErr_NoMemory(); goto out; }
    for (Py_ssize_t i = 0; i < n_texts; i++) {
        copies[i] = ucs4_of(PySequence_Fast_GET_ITEM(texts, i), &lens[i]);
        if (!copies[i]) goto out;
    }
    int r = 0;
    Counts counts = {0};
    self->cutting++;
    Py_BEGIN_ALLOW_THREADS
    Work w = {0};
    for (Py_ssize_t i = 0; i < n_texts && r == 0; i++) {
        size_t before = sink.n_ids;
        r = cut_text(self, &w, copies[i], lens[i], hmm, &sink.base);
        lengths[i] = (int64_t)(sink.n_ids - before);
    }
    work_free(&w);
    if (r == 0 && as_matrix) r = make_counts(&sink, lengths, n_texts, &counts);
    Py_END_ALLOW_THREADS
    self->cutting--;
    if (r < 0) { PyErr_NoMemory(); goto out; }
    if (!as_matrix) {
        PyObject *first_seen = PyList_New((Py_ssize_t)sink.n_terms);
        if (!first_seen) goto out;
        for (size_t i = 0; i < sink.n_terms; i++) {
            PyObject *text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, sink.terms[i].text, sink.terms[i].len);
            if (!text) { Py_DECREF(first_seen); goto out; }
            PyList_SET_ITEM(first_seen, (Py_ssize_t)i, text);
        }
        result = Py_BuildValue("(Ny#y#)", first_seen, (const char *)sink.ids, (Py_ssize_t)(sink.n_ids * sizeof *sink.ids),
                               (const char *)lengths, (Py_ssize_t)(n_texts * sizeof *lengths));
        goto out;
    }
    PyObject *vocabulary = PyList_New((Py_ssize_t)sink.n_terms);
    if (!vocabulary) { counts_free(&counts); goto out; }
    for (size_t i = 0; i < sink.n_terms; i++) {
        const Term *term = &sink.terms[counts.order[i]];
        PyObject *text = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, term->text, term->len);
        if (!text) { Py_DECREF(vocabulary); counts_free(&counts); goto out; }
        PyList_SET_ITEM(vocabulary, (Py_ssize_t)i, text);
    }
    result = Py_BuildValue("(Ny#y#y#)", vocabulary, (const char *)counts.indptr, (Py_ssize_t)(((size_t)n_texts + 1) * sizeof *counts.indptr),
                           (const char *)counts.indices, (Py_ssize_t)(counts.nnz * sizeof *counts.indices),
                           (const char *)counts.data, (Py_ssize_t)(counts.nnz * sizeof *counts.data));
    counts_free(&counts);
out:
    if (copies)
        for (Py_ssize_t i = 0; i < n_texts; i++) PyMem_Free(copies[i]);
    free(copies); free(lens); free(lengths);
    free(sink.hashes); free(sink.slots); free(sink.terms); free(sink.ids);
    Py_DECREF(texts);
    return result;
}

static PyObject *Jieba_count(Jieba *self, PyObject *args, PyObject *kwargs) { return cut_texts(self, args, kwargs, 1); }

static PyObject *Jieba_number(Jieba *self, PyObject *args, PyObject *kwargs) { return cut_texts(self, args, kwargs, 0); }

/* FREQ.get(word, default) */
static int64_t freq_get(const Trie *t, const Py_UCS4 *w, Py_ssize_t n, int64_t fallback) {
    int32_t node = trie_find(t, w, n);
    return node ? t->freq[node] : fallback;
}

static PyObject *Jieba_add_word(Jieba *self, PyObject *args, PyObject *kwargs) {
    static char *names[] = {"word", "freq", NULL};
    PyObject *word, *freq_arg = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O", names, &word, &freq_arg) || check_ready(self) < 0) return NULL;
    if (self->cutting) { PyErr_SetString(PyExc_RuntimeError, "cannot add words while texts are being cut"); return NULL; }
    Py_ssize_t n;
    Py_UCS4 *w = ucs4_of(word, &n);
    if (!w) return NULL;
    int64_t freq;
    if (freq_arg != Py_None) {
        PyObject *number = PyNumber_Long(freq_arg);
        freq = number ? PyLong_AsLongLong(number) : -1;
        Py_XDECREF(number);
        if (PyErr_Occurred()) { PyMem_Free(w); return NULL; }
    } else {  /* suggest_freq(word, tune=False): enough to keep the word whole */
        SpanSink sink = {{span_emit}, NULL, 0, 0};
        Work work = {0};
        int r = cut_text(self, &work, w, n, 0, &sink.base);
        work_free(&work);
        if (r < 0) { free(sink.spans); PyMem_Free(w); return PyErr_NoMemory(); }
        double ftotal = (double)self->trie.total, product = 1.0;
        for (size_t i = 0; i < sink.n; i += 2)
            product *= (double)freq_get(&self->trie, w + sink.spans[i], sink.spans[i + 1] - sink.spans[i], 1) / ftotal;
        free(sink.spans);
        int64_t suggested = (int64_t)(product * (double)self->trie.total) + 1, own = freq_get(&self->trie, w, n, 1);
        freq = suggested > own ? suggested : own;
    }
    int32_t node = trie_set(&self->trie, w, n, freq);
    PyMem_Free(w);
    if (node < 0) return PyErr_NoMemory();
    if (freq == 0 && !self->trie.force[node]) { self->trie.force[node] = 1; self->trie.n_force++; }
    return PyLong_FromLongLong(freq);
}

static PyObject *Jieba_frequency(Jieba *self, PyObject *word) {
    if (check_ready(self) < 0) return NULL;
    Py_ssize_t n;
    Py_UCS4 *w = ucs4_of(word, &n);
    if (!w) return NULL;
    int32_t node = trie_find(&self->trie, w, n);
    PyMem_Free(w);
    if (!node) Py_RETURN_NONE;
    return PyLong_FromLongLong(self->trie.freq[node]);
}

static PyObject *Jieba_get_total(Jieba *self, void *closure) {
    (void)closure;
    return PyLong_FromLongLong(self->trie.total);
}

static PyMethodDef Jieba_methods[] = {
    {"cut", (PyCFunction)(void (*)(void))Jieba_cut, METH_VARARGS | METH_KEYWORDS,
     "cut(text, hmm=True) -> list[str]: jieba.Tokenizer.lcut(text, HMM=hmm)."},
    {"count", (PyCFunction)(void (*)(void))Jieba_count, METH_VARARGS | METH_KEYWORDS,
     "count(texts, hmm=True) -> (terms, indptr, indices, data): every text cut (outside the GIL) and counted.\n"
     "terms are the distinct tokens, sorted; the rest is a CSR matrix of texts x terms, each row's columns\n"
     "ascending: indptr bytes of int64 (one more than texts), indices and data bytes of int32."},
    {"number", (PyCFunction)(void (*)(void))Jieba_number, METH_VARARGS | METH_KEYWORDS,
     "number(texts, hmm=True) -> (terms, ids, lengths): every text cut (outside the GIL), tokens as term ids.\n"
     "terms are the distinct tokens in order of first appearance; ids (bytes of int32) the term of every\n"
     "token, text after text; lengths (bytes of int64) the number of tokens of each text."},
    {"add_word", (PyCFunction)(void (*)(void))Jieba_add_word, METH_VARARGS | METH_KEYWORDS,
     "add_word(word, freq=None) -> int: jieba's add_word (freq None: jieba's suggest_freq); returns the frequency."},
    {"frequency", (PyCFunction)Jieba_frequency, METH_O, "frequency(word) -> int | None: jieba's FREQ.get(word)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Jieba_getset[] = {
    {"total", (getter)Jieba_get_total, NULL, "jieba's total: the sum of every frequency added", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject JiebaType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "analysis._segment.Jieba",
    .tp_basicsize = sizeof(Jieba),
    .tp_dealloc = (destructor)Jieba_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Jieba(dictionary, start_p, trans_p, emit_p): jieba's precise mode over a dictionary file and HMM tables.",
    .tp_methods = Jieba_methods,
    .tp_getset = Jieba_getset,
    .tp_init = (initproc)Jieba_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef segment_module = {
    PyModuleDef_HEAD_INIT, "analysis._segment", "jieba's precise mode, compiled, with counting built in.", -1, NULL,
};

PyMODINIT_FUNC PyInit__segment(void) {
    if (PyType_Ready(&JiebaType) < 0) return NULL;
    PyObject *module = PyModule_Create(&segment_module);
    if (!module) return NULL;
    Py_INCREF(&JiebaType);
    if (PyModule_AddObject(module, "Jieba", (PyObject *)&JiebaType) < 0 ||
        PyModule_AddStringConstant(module, "__version__", SEGMENT_VERSION) < 0) {
        Py_DECREF(&JiebaType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
