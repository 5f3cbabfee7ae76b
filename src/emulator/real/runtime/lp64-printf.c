/*
 * printf for code written for LP64, over sDDF's printf (see include/os/lp64-printf.h): every
 * argument arrives as a 64-bit word; each conversion is formatted alone by sDDF's snprintf, its
 * length modifier turned into the width the value has on aarch64 (none, h, hh: 32 bits; l, ll, z,
 * j, t: 64 bits).
 */
#include <stdarg.h>
#include <stdint.h>
#include <sddf/util/printf.h>

#define SPEC_MAX 32
#define PIECE_MAX 128

static void put(const char *s)
{
    while (*s) {
        _sddf_putchar(*s++);
    }
}

int __emu_lp64_printf(const char *format, int count, ...)
{
    va_list va;
    va_start(va, count);
    int used = 0;
    const char *p = format;
    while (*p) {
        if (*p != '%') {
            _sddf_putchar(*p++);
            continue;
        }
        if (p[1] == '%') {
            _sddf_putchar('%');
            p += 2;
            continue;
        }
        /* The spec without its length modifier: flags, width, precision. */
        char spec[SPEC_MAX];
        int n = 0;
        spec[n++] = *p++;
        while (*p && n < SPEC_MAX - 4 && (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0' || *p == '.' || (*p >= '1' && *p <= '9'))) {
            spec[n++] = *p++;
        }
        int wide = 0;
        while (*p == 'l' || *p == 'h' || *p == 'z' || *p == 'j' || *p == 't') {
            wide |= *p != 'h';
            p++;
        }
        char conv = *p ? *p++ : 0;
        unsigned long long arg = used < count ? va_arg(va, unsigned long long) : 0;
        used++;
        char piece[PIECE_MAX];
        switch (conv) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
            spec[n++] = 'l';
            spec[n++] = 'l';
            spec[n++] = conv;
            spec[n] = 0;
            if (!wide) {
                arg = (conv == 'd' || conv == 'i') ? (unsigned long long)(long long)(int)arg : (unsigned long long)(unsigned)arg;
            }
            sddf_snprintf(piece, sizeof(piece), spec, arg);
            put(piece);
            break;
        case 'c':
            spec[n++] = 'c';
            spec[n] = 0;
            sddf_snprintf(piece, sizeof(piece), spec, (int)arg);
            put(piece);
            break;
        case 's':
            spec[n++] = 's';
            spec[n] = 0;
            if (n == 2) {
                put((const char *)(uintptr_t)arg);
            } else {
                sddf_snprintf(piece, sizeof(piece), spec, (const char *)(uintptr_t)arg);
                put(piece);
            }
            break;
        case 'p':
            sddf_snprintf(piece, sizeof(piece), "0x%llx", arg);
            put(piece);
            break;
        default:
            /* Not a conversion this printf knows: printed as written. */
            spec[n] = 0;
            put(spec);
            if (conv) {
                _sddf_putchar(conv);
            }
            break;
        }
    }
    va_end(va);
    return 0;
}
