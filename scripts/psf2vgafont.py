#!/usr/bin/env python3
"""Converts an 8x16 Linux console font (PSF1 or PSF2, optionally gzipped,
with a Unicode table) into the VGA's code page 437 font table.

usage: psf2vgafont.py FONT.psf[.gz] [--fallback FONT2.psf[.gz]] OUT.c
                      --name NAME --licence TEXT --source TEXT
       psf2vgafont.py FONT.psf[.gz] [--fallback FONT2.psf[.gz]] --coverage

Each of the 256 CP437 codes is looked up in the font's Unicode table by
the character Python's 'cp437' codec gives for it. That codec maps 0x00-0x1F
and 0x7F to control characters, where the IBM character set has graphic
symbols (the smiley, the card suits, the house...), so those 33 codes use
the IBM glyphs' Unicode equivalents listed in IBM_GRAPHICS instead. A
character the font lacks is taken from the fallback font (another subset
of the same design), then through SUBSTITUTES; one still
missing is drawn blank and reported (on stderr and in the output's header
comment). Code 0x00 and 0xFF (no-break space) are blank as on the IBM VGA.

The output defines `const uint8_t vga_font_8x16[256][16]`: 16 rows per
character, bit 7 the leftmost dot, as a VGA BIOS loads it into plane 2.

machine/devices/vga_font.c was made from Debian bookworm's
console-setup-linux 1.221 (`apt-get download console-setup-linux`, then
`dpkg-deb -x` it into DIR) with:

  F=DIR/usr/share/consolefonts
  scripts/psf2vgafont.py $F/FullGreek-VGA16.psf.gz \
      --fallback $F/Uni2-VGA16.psf.gz machine/devices/vga_font.c \
      --name "VGA 8x16 (u_vga16.bdf by Dmitry Bolkhovityanov) as console-setup
              1.221 builds it: FullGreek-VGA16, Uni2-VGA16 as the fallback" \
      --source "Debian bookworm package console-setup-linux 1.221,
                /usr/share/consolefonts/FullGreek-VGA16.psf.gz, Uni2-VGA16.psf.gz" \
      --licence "MIT (X11) licence of u_vga16.bdf, copyright 2000, 2001
                 Dmitry Bolkhovityanov: machine/devices/vga_font.LICENSE"
"""
import argparse
import gzip
import struct
import sys
import textwrap

PSF1_MAGIC = b'\x36\x04'
PSF1_MODE512 = 0x01
PSF1_MODEHASTAB = 0x02
PSF1_SEPARATOR = 0xFFFF
PSF1_STARTSEQ = 0xFFFE
PSF2_MAGIC = b'\x72\xb5\x4a\x86'
PSF2_HAS_UNICODE_TABLE = 0x01
PSF2_SEPARATOR = 0xFF
PSF2_STARTSEQ = 0xFE

# The IBM glyphs at 0x00-0x1F and 0x7F, as Unicode (0x00 is blank).
IBM_GRAPHICS = {
    0x00: 0x0020, 0x01: 0x263A, 0x02: 0x263B, 0x03: 0x2665, 0x04: 0x2666,
    0x05: 0x2663, 0x06: 0x2660, 0x07: 0x2022, 0x08: 0x25D8, 0x09: 0x25CB,
    0x0A: 0x25D9, 0x0B: 0x2642, 0x0C: 0x2640, 0x0D: 0x266A, 0x0E: 0x266B,
    0x0F: 0x263C, 0x10: 0x25BA, 0x11: 0x25C4, 0x12: 0x2195, 0x13: 0x203C,
    0x14: 0x00B6, 0x15: 0x00A7, 0x16: 0x25AC, 0x17: 0x21A8, 0x18: 0x2191,
    0x19: 0x2193, 0x1A: 0x2192, 0x1B: 0x2190, 0x1C: 0x221F, 0x1D: 0x2194,
    0x1E: 0x25B2, 0x1F: 0x25BC, 0x7F: 0x2302,
}

# Look-alikes tried, in order, when a font lacks a character.
SUBSTITUTES = {
    0x25BA: [0x25B6], 0x25C4: [0x25C0], 0x2219: [0x00B7, 0x2022],
    0x2022: [0x2219, 0x00B7], 0x25D8: [0x2588], 0x25D9: [0x25CB],
    0x221F: [0x2514], 0x20A7: [0x0050], 0x2310: [0x00AC],
    0x03B5: [0x2208], 0x2229: [0x222A], 0x00A0: [0x0020],
}


def read_psf(path):
    """Returns (glyph bitmaps, {codepoint: glyph index}, height, width)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\x1f\x8b':
        data = gzip.decompress(data)
    if data[:2] == PSF1_MAGIC:
        mode, height = data[2], data[3]
        count = 512 if mode & PSF1_MODE512 else 256
        width, size, pos = 8, height, 4
        glyphs = [data[pos + i * size:pos + (i + 1) * size] for i in range(count)]
        pos += count * size
        umap = {}
        if mode & PSF1_MODEHASTAB:
            for g in range(count):
                in_seq = False
                while True:
                    (u,) = struct.unpack_from('<H', data, pos)
                    pos += 2
                    if u == PSF1_SEPARATOR:
                        break
                    if u == PSF1_STARTSEQ:
                        in_seq = True
                    elif not in_seq:
                        umap.setdefault(u, g)
        return glyphs, umap, height, width
    if data[:4] == PSF2_MAGIC:
        (_, hdr, flags, count, size, height, width) = struct.unpack_from('<7I', data, 4)
        glyphs = [data[hdr + i * size:hdr + (i + 1) * size] for i in range(count)]
        pos = hdr + count * size
        umap = {}
        if flags & PSF2_HAS_UNICODE_TABLE:
            for g in range(count):
                end = data.index(bytes([PSF2_SEPARATOR]), pos)
                entry = data[pos:end]
                pos = end + 1
                single = entry.split(bytes([PSF2_STARTSEQ]))[0]
                for ch in single.decode('utf-8'):
                    umap.setdefault(ord(ch), g)
        return glyphs, umap, height, width
    raise SystemExit('%s: not a PSF1 or PSF2 font' % path)


def cp437_unicode(code):
    if code in IBM_GRAPHICS:
        return IBM_GRAPHICS[code]
    return ord(bytes([code]).decode('cp437'))


def lookup(fonts, u):
    """The bitmap of u in the first font that has it, or None."""
    for glyphs, umap in fonts:
        if u in umap:
            return bytes(glyphs[umap[u]])
    return None


def convert(fonts):
    """Returns (256 bitmaps, [(code, unicode, substitute or None)] notes,
    [(code, unicode)] taken from a fallback font)."""
    table, notes, fell_back = [], [], []
    for code in range(256):
        u = cp437_unicode(code)
        if code in (0x00, 0xFF):
            table.append(bytes(16))
            continue
        bitmap, used = lookup(fonts[:1], u), None
        if bitmap is None:
            bitmap = lookup(fonts[1:], u)
            if bitmap is not None:
                fell_back.append((code, u))
        if bitmap is None:
            for alt in SUBSTITUTES.get(u, []):
                bitmap = lookup(fonts, alt)
                if bitmap is not None:
                    used = alt
                    break
            notes.append((code, u, used))
        table.append(bitmap if bitmap is not None else bytes(16))
    return table, notes, fell_back


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('font')
    ap.add_argument('out', nargs='?')
    ap.add_argument('--fallback', action='append', default=[])
    ap.add_argument('--coverage', action='store_true')
    ap.add_argument('--name', default='')
    ap.add_argument('--licence', default='')
    ap.add_argument('--source', default='')
    args = ap.parse_intermixed_args(argv[1:])
    fonts = []
    for path in [args.font] + args.fallback:
        glyphs, umap, height, width = read_psf(path)
        if height != 16 or width != 8:
            raise SystemExit('%s: %dx%d, not an 8x16 font' % (path, width, height))
        fonts.append((glyphs, umap))
    table, notes, fell_back = convert(fonts)
    for code, u in fell_back:
        sys.stderr.write('0x%02X (U+%04X) from a fallback font\n' % (code, u))
    lines = []
    for code, u, used in notes:
        what = 'U+%04X instead' % used if used is not None else 'blank'
        lines.append('0x%02X (U+%04X): %s' % (code, u, what))
    for line in lines:
        sys.stderr.write('missing ' + line + '\n')
    if args.coverage or not args.out:
        return 0
    out = ['/* The VGA\'s power-on font: 256 code page 437 characters of 16 rows,',
           ' * bit 7 the leftmost dot (the layout a VGA BIOS loads into plane 2).',
           ' *',
           ' * Generated by scripts/psf2vgafont.py; do not edit.']
    for label, text in (('Font', args.name), ('Source', args.source),
                        ('Licence', args.licence)):
        out += textwrap.wrap(' '.join(text.split()), width=88,
                             initial_indent=' * %s: ' % label,
                             subsequent_indent=' *   ')
    out += [' *',
           ' * Codes 0x00 and 0xFF are blank, as on the IBM VGA.']
    if fell_back:
        out.append(' * From the fallback font: ' +
                   ', '.join('0x%02X' % code for code, _ in fell_back) + '.')
    if lines:
        out.append(' * Characters the font lacks:')
        out += [' *   ' + line for line in lines]
    else:
        out.append(' * The font has every other character.')
    out += [' */', '#include <stdint.h>', '', '#include "machine/devices/vga.h"', '',
            'const uint8_t vga_font_8x16[256][16] = {']
    for code, rows in enumerate(table):
        u = cp437_unicode(code)
        label = chr(u) if 0x20 < u < 0x7F else 'U+%04X' % u
        if code in (0x00, 0xFF):
            label = 'blank'
        head = '    /* 0x%02X %-6s */ { ' % (code, label.replace('*/', '* /'))
        hexes = ['0x%02x' % b for b in rows]
        out.append(head + ', '.join(hexes[:8]) + ',')
        out.append(' ' * len(head) + ', '.join(hexes[8:]) + ' },')
    out.append('};')
    with open(args.out, 'w') as f:
        f.write('\n'.join(out) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
