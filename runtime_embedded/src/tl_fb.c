/* The FlatBuffers verifier (driven by the field lists of tl_schema.h) and the detail-message text buffer. */
#include "tl_fb.h"

/* ---- detail text ---- */

void tl_text_init(tl_text *t, char *buf, uint32_t size)
{
    t->buf = buf;
    t->size = size;
    t->len = 0;
    if (size) {
        buf[0] = '\0';
    }
}

static void tl_text_char(tl_text *t, char c)
{
    if (t->len + 1u < t->size) {
        t->buf[t->len++] = c;
        t->buf[t->len] = '\0';
    }
}

void tl_text_str(tl_text *t, const char *s)
{
    while (s && *s) {
        tl_text_char(t, *s++);
    }
}

void tl_text_int(tl_text *t, int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0) {
        tl_text_char(t, '-');
    }
    do {
        digits[n++] = (char)('0' + (int)(u % 10u));
        u /= 10u;
    } while (u && n < 24);
    while (n) {
        tl_text_char(t, digits[--n]);
    }
}

void tl_text_quoted(tl_text *t, const char *s)
{
    int n = 0;
    tl_text_char(t, '\'');
    while (s && *s && n < 40) {
        tl_text_char(t, *s++);
        n++;
    }
    if (s && *s) {
        tl_text_str(t, "...");
    }
    tl_text_char(t, '\'');
}

/* ---- the schema as descriptors ---- */

enum { K_SCALAR, K_STRING, K_TABLE, K_UNION, K_VEC_SCALAR, K_VEC_STRING, K_VEC_TABLE };

/* kind token of tl_schema.h -> (descriptor kind, width in bytes of the field or vector element) */
#define TL_VK_bool K_SCALAR, 1
#define TL_VK_i8 K_SCALAR, 1
#define TL_VK_u8 K_SCALAR, 1
#define TL_VK_i16 K_SCALAR, 2
#define TL_VK_u16 K_SCALAR, 2
#define TL_VK_i32 K_SCALAR, 4
#define TL_VK_u32 K_SCALAR, 4
#define TL_VK_f32 K_SCALAR, 4
#define TL_VK_i64 K_SCALAR, 8
#define TL_VK_u64 K_SCALAR, 8
#define TL_VK_f64 K_SCALAR, 8
#define TL_VK_STRING K_STRING, 4
#define TL_VK_TABLE K_TABLE, 4
#define TL_VK_UNION K_UNION, 4
#define TL_VK_VEC_bool K_VEC_SCALAR, 1
#define TL_VK_VEC_i8 K_VEC_SCALAR, 1
#define TL_VK_VEC_u8 K_VEC_SCALAR, 1
#define TL_VK_VEC_i16 K_VEC_SCALAR, 2
#define TL_VK_VEC_u16 K_VEC_SCALAR, 2
#define TL_VK_VEC_i32 K_VEC_SCALAR, 4
#define TL_VK_VEC_u32 K_VEC_SCALAR, 4
#define TL_VK_VEC_f32 K_VEC_SCALAR, 4
#define TL_VK_VEC_i64 K_VEC_SCALAR, 8
#define TL_VK_VEC_u64 K_VEC_SCALAR, 8
#define TL_VK_VEC_f64 K_VEC_SCALAR, 8
#define TL_VK_VEC_STRING K_VEC_STRING, 4
#define TL_VK_VEC_TABLE K_VEC_TABLE, 4

/* Table and field names serve the detail messages only: -DTL_NO_DETAIL_MESSAGES leaves them out of the
 * descriptors (TL_NAME_ gives NULL for them) and the verifier's failures write no text. */
#ifdef TL_NO_DETAIL_MESSAGES
#define TL_NAME_FIELD_
#define TL_NAME_INIT_(name)
#define TL_NAME_(desc) ((void)(desc), (const char *)0)
#else
#define TL_NAME_FIELD_ const char *name;
#define TL_NAME_INIT_(name) #name,
#define TL_NAME_(desc) ((desc)->name)
#endif

typedef struct {
    TL_NAME_FIELD_
    uint8_t slot; /* for a union: the value's slot (its type byte is at slot - 1) */
    uint8_t kind;
    uint8_t width;
    uint8_t ref; /* TL_TABLE_* or TL_UNION_* */
    uint8_t align;
} tl_field_desc;

#define TL_DESC_(T, name, slot, kind, def, ref, align) {TL_NAME_INIT_(name) slot, TL_VK_##kind, ref, align},
#define TL_DEFINE_FIELDS_(UPPER, lower, id) static const tl_field_desc fields_##lower[] = {TL_FIELDS_##UPPER(TL_DESC_)};
TL_TABLE_LIST(TL_DEFINE_FIELDS_)

typedef struct {
    TL_NAME_FIELD_
    const tl_field_desc *fields;
    uint32_t count;
} tl_table_desc;

#define TL_TABLE_ENTRY_(UPPER, lower, id)                                                                            \
    {TL_NAME_INIT_(lower) fields_##lower, sizeof(fields_##lower) / sizeof(fields_##lower[0])},
static const tl_table_desc tables[TL_TABLE_COUNT] = {TL_TABLE_LIST(TL_TABLE_ENTRY_)};

#define TL_MEMBER_TABLE_(UPPER, lower, id, table) table,
#define TL_DEFINE_MEMBERS_(UPPER, lower, id) static const uint8_t members_##lower[] = {TL_##UPPER##_LIST(TL_MEMBER_TABLE_)};
TL_UNION_LIST(TL_DEFINE_MEMBERS_)

typedef struct {
    const uint8_t *members; /* member id k (1-based) is table members[k - 1] */
    uint32_t count;
} tl_union_desc;

#define TL_UNION_ENTRY_(UPPER, lower, id) {members_##lower, sizeof(members_##lower)},
static const tl_union_desc unions[TL_UNION_COUNT] = {TL_UNION_LIST(TL_UNION_ENTRY_)};

/* ---- the verifier ---- */

typedef struct {
    const tl_fb *r;
    tl_text *why;
    uint64_t budget;
    int failed;
} tl_verifier;

#ifdef TL_NO_DETAIL_MESSAGES
static int fail_quiet(tl_verifier *v)
{
    v->failed = 1;
    return 0;
}
#define fail(v, table, field, what, pos) ((void)(table), (void)(field), (void)(what), (void)(pos), fail_quiet(v))
#else
static int fail(tl_verifier *v, const char *table, const char *field, const char *what, uint64_t pos)
{
    if (!v->failed) {
        v->failed = 1;
        tl_text_str(v->why, table);
        if (field) {
            tl_text_str(v->why, ".");
            tl_text_str(v->why, field);
        }
        tl_text_str(v->why, ": ");
        tl_text_str(v->why, what);
        tl_text_str(v->why, " (at byte ");
        tl_text_int(v->why, (int64_t)pos);
        tl_text_str(v->why, " of ");
        tl_text_int(v->why, (int64_t)v->r->size);
        tl_text_str(v->why, ")");
    }
    return 0;
}
#endif

static int spend(tl_verifier *v, uint64_t bytes, const char *table, uint64_t pos)
{
    if (bytes > v->budget) {
        return fail(v, table, NULL, "too many references to the same data (decoding budget exceeded)", pos);
    }
    v->budget -= bytes;
    return 1;
}

/* pos (possibly negative) holds `width` bytes inside the file, aligned to width; else fail. */
static int read_check(tl_verifier *v, int64_t pos, uint32_t width, const char *table, const char *field)
{
    if (pos < 0 || (uint64_t)pos + width > v->r->size) {
        return fail(v, table, field, "lies outside the file", (uint64_t)(pos < 0 ? 0 : pos));
    }
    if ((uint64_t)pos % width) {
        return fail(v, table, field, "is misaligned", (uint64_t)pos);
    }
    return 1;
}

/* The target of the uoffset at pos, which must lie inside the file. */
static int follow(tl_verifier *v, uint32_t pos, uint32_t *target, const char *table, const char *field)
{
    uint64_t t;
    if (!read_check(v, pos, 4, table, field)) {
        return 0;
    }
    t = (uint64_t)pos + tl_fb_u32_at(v->r, pos);
    if (t >= v->r->size) {
        return fail(v, table, field, "offset points past the end", pos);
    }
    *target = (uint32_t)t;
    return 1;
}

static int vector(tl_verifier *v, uint32_t pos, uint32_t elem, uint32_t align, uint32_t *first, uint32_t *count,
                  const char *table, const char *field)
{
    uint32_t start, n, a;
    if (!follow(v, pos, &start, table, field) || !read_check(v, start, 4, table, field)) {
        return 0;
    }
    n = tl_fb_u32_at(v->r, start);
    a = elem > align ? elem : align;
    if (n && a > 1 && ((uint64_t)start + 4u) % a) {
        return fail(v, table, field, "vector is misaligned", (uint64_t)start + 4u);
    }
    if ((uint64_t)start + 4u + (uint64_t)n * elem > v->r->size) {
        return fail(v, table, field, "vector runs past the end", start);
    }
    if (!spend(v, (uint64_t)n * elem + 4u, table, start)) {
        return 0;
    }
    *first = start + 4u;
    *count = n;
    return 1;
}

/* Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF), as Python's decoder. */
static int valid_utf8(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        const uint8_t c = s[i];
        uint32_t extra, k;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (n - i <= extra) {
            return 0;
        }
        if (s[i + 1] < lo || s[i + 1] > hi) {
            return 0;
        }
        for (k = 2; k <= extra; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) {
                return 0;
            }
        }
        i += extra + 1;
    }
    return 1;
}

static int string(tl_verifier *v, uint32_t pos, const char *table, const char *field)
{
    uint32_t first, count;
    if (!vector(v, pos, 1, 1, &first, &count, table, field)) {
        return 0;
    }
    if ((uint64_t)first + count >= v->r->size || v->r->buf[first + count] != 0) {
        return fail(v, table, field, "string is not zero-terminated", first);
    }
    if (!valid_utf8(v->r->buf + first, count)) {
        return fail(v, table, field, "string is not valid UTF-8", first);
    }
    return 1;
}

static int table(tl_verifier *v, uint32_t pos, uint32_t id, int depth);

/* The position of field `slot` of a table (0 when absent); fails when it does not fit in the table. */
static int field_pos(tl_verifier *v, uint32_t pos, int64_t vtable, uint32_t vt_size, uint32_t obj_size,
                     uint32_t slot, uint32_t width, uint32_t *out, const char *tname, const char *fname)
{
    const uint32_t voffset = 4u + 2u * slot;
    uint32_t offset;
    *out = 0;
    if (voffset + 2u > vt_size) {
        return 1;
    }
    offset = tl_fb_u16_at(v->r, (uint32_t)vtable + voffset);
    if (offset == 0) {
        return 1;
    }
    if (offset < 4u || offset + width > obj_size) {
        return fail(v, tname, fname, "field lies outside its table", pos);
    }
    *out = pos + offset;
    return 1;
}

static int field(tl_verifier *v, const tl_field_desc *f, uint32_t pos, int64_t vtable, uint32_t vt_size,
                 uint32_t obj_size, const char *tname, int depth)
{
    uint32_t fpos, target, first, count, i;
    if (f->kind == K_UNION) {
        uint32_t type_pos, value_pos, kind;
        if (!field_pos(v, pos, vtable, vt_size, obj_size, f->slot - 1u, 1, &type_pos, tname, TL_NAME_(f)) ||
            !field_pos(v, pos, vtable, vt_size, obj_size, f->slot, 4, &value_pos, tname, TL_NAME_(f))) {
            return 0;
        }
        kind = type_pos ? v->r->buf[type_pos] : 0;
        if (kind == 0 || value_pos == 0) {
            return 1;
        }
        if (kind > unions[f->ref].count) {
            return fail(v, tname, TL_NAME_(f), "union has an unknown type", type_pos);
        }
        return follow(v, value_pos, &target, tname, TL_NAME_(f)) &&
               table(v, target, unions[f->ref].members[kind - 1u], depth + 1);
    }
    if (!field_pos(v, pos, vtable, vt_size, obj_size, f->slot, f->width, &fpos, tname, TL_NAME_(f))) {
        return 0;
    }
    if (fpos == 0) {
        return 1;
    }
    switch (f->kind) {
    case K_SCALAR:
        return read_check(v, fpos, f->width, tname, TL_NAME_(f));
    case K_STRING:
        return string(v, fpos, tname, TL_NAME_(f));
    case K_TABLE:
        return follow(v, fpos, &target, tname, TL_NAME_(f)) && table(v, target, f->ref, depth + 1);
    case K_VEC_SCALAR:
        return vector(v, fpos, f->width, f->align, &first, &count, tname, TL_NAME_(f));
    case K_VEC_STRING:
        if (!vector(v, fpos, 4, 4, &first, &count, tname, TL_NAME_(f))) {
            return 0;
        }
        for (i = 0; i < count; i++) {
            if (!string(v, first + 4u * i, tname, TL_NAME_(f))) {
                return 0;
            }
        }
        return 1;
    case K_VEC_TABLE:
        if (!vector(v, fpos, 4, 4, &first, &count, tname, TL_NAME_(f))) {
            return 0;
        }
        for (i = 0; i < count; i++) {
            if (!follow(v, first + 4u * i, &target, tname, TL_NAME_(f)) || !table(v, target, f->ref, depth + 1)) {
                return 0;
            }
        }
        return 1;
    default:
        return fail(v, tname, TL_NAME_(f), "has a kind the verifier does not know", fpos);
    }
}

static int table(tl_verifier *v, uint32_t pos, uint32_t id, int depth)
{
    const tl_table_desc *desc = &tables[id];
    uint32_t soffset, vt_size, obj_size, i;
    int64_t vtable;
    if (depth > 16) {
        return fail(v, TL_NAME_(desc), NULL, "table nested too deeply", pos);
    }
    if (!read_check(v, pos, 4, TL_NAME_(desc), NULL)) {
        return 0;
    }
    soffset = tl_fb_u32_at(v->r, pos);
    vtable = (int64_t)pos - (int64_t)(soffset <= 0x7FFFFFFFu ? (int64_t)soffset : (int64_t)soffset - 4294967296LL);
    if (!read_check(v, vtable, 2, TL_NAME_(desc), NULL) ||
        !read_check(v, vtable + 2, 2, TL_NAME_(desc), NULL)) {
        return 0;
    }
    vt_size = tl_fb_u16_at(v->r, (uint32_t)vtable);
    obj_size = tl_fb_u16_at(v->r, (uint32_t)vtable + 2u);
    if (vt_size < 4u || vt_size % 2u || (uint64_t)vtable + vt_size > v->r->size) {
        return fail(v, TL_NAME_(desc), NULL, "vtable has a bad size", (uint64_t)vtable);
    }
    if (obj_size < 4u || (uint64_t)pos + obj_size > v->r->size) {
        return fail(v, TL_NAME_(desc), NULL, "table has a bad size", pos);
    }
    if (!spend(v, (uint64_t)vt_size + obj_size, TL_NAME_(desc), pos)) {
        return 0;
    }
    for (i = 0; i < desc->count; i++) {
        if (!field(v, &desc->fields[i], pos, vtable, vt_size, obj_size, TL_NAME_(desc), depth)) {
            return 0;
        }
    }
    return 1;
}

tl_status tl_fb_verify(const tl_fb *r, uint32_t *root, tl_text *why)
{
    tl_verifier v;
    uint32_t target;
    v.r = r;
    v.why = why;
    v.budget = 16u * (uint64_t)r->size + 4096u;
    v.failed = 0;
    if (!follow(&v, 0, &target, "model", NULL) || !table(&v, target, TL_TABLE_MODEL, 0)) {
        return TL_ERROR_STRUCTURE;
    }
    *root = target;
    return TL_OK;
}
