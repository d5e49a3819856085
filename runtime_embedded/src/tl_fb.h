/* The FlatBuffers reader of the core: a verifier that checks a whole .tlet buffer (every table reachable from the
 * root, the schema's layout from tl_schema.h), and accessors for a buffer that passed it.
 *
 * Accessors assume the table positions they get came from a verified buffer (they still never read outside it).
 * All reads assemble little-endian bytes, so they need no alignment and no type punning of the file.
 */
#ifndef TL_FB_H
#define TL_FB_H

#include <stddef.h>
#include <stdint.h>

#include "tensorlet.h"
#include "tl_schema.h"

typedef struct tl_fb {
    const uint8_t *buf;
    uint32_t size;
} tl_fb;

/* A bounded text buffer for detail messages (always NUL-terminated, silently truncated). */
typedef struct tl_text {
    char *buf;
    uint32_t size;
    uint32_t len;
} tl_text;

/* Start writing into buf[0..size) (size >= 1), emptying it. */
void tl_text_init(tl_text *t, char *buf, uint32_t size);

/* Append a NUL-terminated string. */
void tl_text_str(tl_text *t, const char *s);

/* Append a decimal integer. */
void tl_text_int(tl_text *t, int64_t v);

/* Append a string quoted with '' (at most 40 bytes of it). */
void tl_text_quoted(tl_text *t, const char *s);

/* Verify the whole buffer as a .tlet Model (the caller has checked length, identifier and alignment): every
 * offset, vtable, field, vector, string (NUL-terminated UTF-8) and union, with a work budget against aliased
 * offsets and a depth limit, as converter/fbs_decode.py. On success *root is the root table's position. */
tl_status tl_fb_verify(const tl_fb *r, uint32_t *root, tl_text *why);

static inline uint32_t tl_fb_u32_at(const tl_fb *r, uint32_t pos)
{
    const uint8_t *p = r->buf + pos;
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint16_t tl_fb_u16_at(const tl_fb *r, uint32_t pos)
{
    const uint8_t *p = r->buf + pos;
    return (uint16_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8));
}

/* Position of a field of the table at `table`, 0 when absent. */
static inline uint32_t tl_fb_field(const tl_fb *r, uint32_t table, uint32_t slot)
{
    const uint32_t soffset = tl_fb_u32_at(r, table);
    const uint32_t vtable = table - soffset; /* uint32 arithmetic: a negative soffset moves forward */
    const uint32_t voffset = 4u + 2u * slot;
    uint16_t offset;
    if (voffset + 2u > tl_fb_u16_at(r, vtable)) {
        return 0;
    }
    offset = tl_fb_u16_at(r, vtable + voffset);
    return offset == 0 ? 0 : table + offset;
}

/* The position a uoffset at `pos` points to. */
static inline uint32_t tl_fb_deref(const tl_fb *r, uint32_t pos)
{
    return pos + tl_fb_u32_at(r, pos);
}

/* Scalar fields, each with the schema default when absent (use TL_GET to take kind/slot/default from tl_schema.h). */
static inline uint8_t tl_fb_get_u8(const tl_fb *r, uint32_t t, uint32_t slot, uint8_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? r->buf[p] : def;
}
static inline uint8_t tl_fb_get_bool(const tl_fb *r, uint32_t t, uint32_t slot, uint8_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? (uint8_t)(r->buf[p] != 0) : def;
}
static inline int8_t tl_fb_get_i8(const tl_fb *r, uint32_t t, uint32_t slot, int8_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? (int8_t)((int)r->buf[p] - ((r->buf[p] & 0x80) ? 256 : 0)) : def;
}
static inline uint16_t tl_fb_get_u16(const tl_fb *r, uint32_t t, uint32_t slot, uint16_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? tl_fb_u16_at(r, p) : def;
}
static inline int16_t tl_fb_get_i16(const tl_fb *r, uint32_t t, uint32_t slot, int16_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? (int16_t)((int32_t)tl_fb_u16_at(r, p) - ((tl_fb_u16_at(r, p) & 0x8000u) ? 65536 : 0)) : def;
}
static inline uint32_t tl_fb_get_u32(const tl_fb *r, uint32_t t, uint32_t slot, uint32_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? tl_fb_u32_at(r, p) : def;
}
static inline int32_t tl_fb_get_i32(const tl_fb *r, uint32_t t, uint32_t slot, int32_t def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    if (!p) {
        return def;
    }
    {
        const uint32_t v = tl_fb_u32_at(r, p);
        return v <= 0x7FFFFFFFu ? (int32_t)v : (int32_t)(v - 0x80000000u) + (-2147483647 - 1);
    }
}
static inline float tl_fb_get_f32(const tl_fb *r, uint32_t t, uint32_t slot, float def)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    union {
        uint32_t u;
        float f;
    } v;
    if (!p) {
        return def;
    }
    v.u = tl_fb_u32_at(r, p);
    return v.f;
}

/* TL_GET(r, table_pos, TABLE, FIELD): a scalar field read with the kind, slot and default of tl_schema.h. */
#define TL_GET(r, t, T, F) TL_GET_(r, t, TL_KIND_##T##_##F, TL_SLOT_##T##_##F, TL_DEFAULT_##T##_##F)
#define TL_GET_(r, t, kind, slot, def) TL_GET__(r, t, kind, slot, def)
#define TL_GET__(r, t, kind, slot, def) tl_fb_get_##kind(r, t, slot, def)

/* The table a table-valued field points to, 0 when absent. */
static inline uint32_t tl_fb_table(const tl_fb *r, uint32_t t, uint32_t slot)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    return p ? tl_fb_deref(r, p) : 0;
}

/* Position of the first element of a vector field (0 when absent) and its element count in *count. */
static inline uint32_t tl_fb_vector(const tl_fb *r, uint32_t t, uint32_t slot, uint32_t *count)
{
    const uint32_t p = tl_fb_field(r, t, slot);
    uint32_t v;
    if (!p) {
        *count = 0;
        return 0;
    }
    v = tl_fb_deref(r, p);
    *count = tl_fb_u32_at(r, v);
    return v + 4u;
}

/* A string field (NUL-terminated, verified UTF-8), "" when absent. */
static inline const char *tl_fb_string(const tl_fb *r, uint32_t t, uint32_t slot)
{
    uint32_t count;
    const uint32_t first = tl_fb_vector(r, t, slot, &count);
    return first ? (const char *)(r->buf + first) : "";
}

/* Element i of a vector of int32 starting at `first`. */
static inline int32_t tl_fb_i32_at(const tl_fb *r, uint32_t first, uint32_t i)
{
    const uint32_t v = tl_fb_u32_at(r, first + 4u * i);
    return v <= 0x7FFFFFFFu ? (int32_t)v : (int32_t)(v - 0x80000000u) + (-2147483647 - 1);
}

/* Element i (a table) of a vector of tables starting at `first`. */
static inline uint32_t tl_fb_table_at(const tl_fb *r, uint32_t first, uint32_t i)
{
    return tl_fb_deref(r, first + 4u * i);
}

#endif /* TL_FB_H */
