#!/usr/bin/python3
"""Keeps docs/guide/ in step with the code it shows.

    check-pages.py SOURCE_ROOT BUILD_DIR            check; exit 1 on any drift
    check-pages.py SOURCE_ROOT BUILD_DIR --update   rewrite the pages' copies

BUILD_DIR is the build directory of docs/guide (where guide-NAME programs
are), for outputs shown of C programs that have no Python twin.

A page shows a file with a marker line followed by a fenced block:

    <!-- include: examples/01-event-loop.c -->
    ```c
    ...the file, verbatim...
    ```

and a program's output with

    <!-- output: examples/01-event-loop.py -->
    ```
    ...what /usr/bin/python3 prints for it...
    ```

(the C example prints the same: its test says so); an output of a .c file
is what BUILD_DIR/guide-NAME prints. The check fails when:
a copy differs from its file or an output from the program's; an example
is not shown by any page or not built by meson.build; a relative link
points nowhere; a gtkloop name (gtkloop_*, Gtkloop*, GTKLOOP_*) in a page
is not declared in the public headers (or an environment variable the
library reads); or an asyncio name that the seed
documents use (seed-names.txt) has no row in mapping.md.
"""
import os
import re
import subprocess
import sys

GUIDE = 'docs/guide'
MARKER = re.compile(r'^<!-- (include|output): (\S+) -->$')
FENCE = re.compile(r'^```')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def program_output(path, build_dir):
    if path.endswith('.c'):
        name = os.path.splitext(os.path.basename(path))[0]
        argv = [os.path.join(build_dir, 'guide-' + name)]
    else:
        argv = ['/usr/bin/python3', path]
    p = subprocess.run(argv, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE='1'))
    if p.returncode != 0:
        raise RuntimeError(f'{path} failed:\n{p.stderr.decode()}')
    return p.stdout.decode()


def blocks(text):
    """Yields (kind, target, first_line, last_line) for each marked block:
    the block's body is lines[first_line:last_line]."""
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m:
            if i + 1 >= len(lines) or not FENCE.match(lines[i + 1]):
                raise ValueError(f'line {i + 1}: a marker must be followed by a fenced block')
            j = i + 2
            while j < len(lines) and lines[j] != '```':
                j += 1
            if j == len(lines):
                raise ValueError(f'line {i + 2}: the fenced block is not closed')
            yield m.group(1), m.group(2), i + 2, j
            i = j
        i += 1


def expected_body(kind, path, outputs, build_dir):
    if kind == 'include':
        return read(path)
    if path not in outputs:
        outputs[path] = program_output(path, build_dir)
    return outputs[path]


def check_copies(root, build_dir, pages, update, errors):
    shown = set()
    outputs = {}
    for page in pages:
        page_path = os.path.join(root, GUIDE, page)
        text = read(page_path)
        lines = text.split('\n')
        replacements = []
        try:
            found = list(blocks(text))
        except ValueError as e:
            errors.append(f'{page}: {e}')
            continue
        for kind, target, first, last in found:
            path = os.path.normpath(os.path.join(root, GUIDE, target))
            if not os.path.exists(path):
                errors.append(f'{page}: {kind} of {target}, which does not exist')
                continue
            if kind == 'include':
                shown.add(os.path.relpath(path, os.path.join(root, GUIDE)))
            body = expected_body(kind, path, outputs, build_dir)
            have = '\n'.join(lines[first:last]) + '\n'
            if have != body:
                if update:
                    replacements.append((first, last, body.rstrip('\n').split('\n')))
                else:
                    errors.append(f'{page}: its copy of {target} ({kind}) differs from '
                                  f'{"the file" if kind == "include" else "what it prints"}; '
                                  f'run {GUIDE}/check-pages.py . BUILD_DIR/{GUIDE} --update')
        if replacements:
            for first, last, new in reversed(replacements):
                lines[first:last] = new
            with open(page_path, 'w', encoding='utf-8') as f:
                f.write('\n'.join(lines))
            print(f'updated {page}')
    return shown


def check_examples(root, shown, errors):
    examples = sorted(f for f in os.listdir(os.path.join(root, GUIDE, 'examples'))
                      if f.endswith(('.c', '.py')))
    built = set(re.findall(r"^\s*'([\w-]+)':", read(os.path.join(root, GUIDE, 'meson.build')),
                           re.M))
    for f in examples:
        if f'examples/{f}' not in shown:
            errors.append(f'examples/{f} is shown by no page')
        stem, ext = os.path.splitext(f)
        if stem not in built:
            errors.append(f'examples/{f} is not built and run by {GUIDE}/meson.build')
        twin = stem + ('.py' if ext == '.c' else '.c')
        if twin not in examples and not stem.startswith('porting-'):
            errors.append(f'examples/{f} has no twin examples/{twin}')
    return examples


def public_names(root):
    """The names a page may use: those the public headers declare, and the
    environment variables the library reads."""
    names = set()
    for f in os.listdir(os.path.join(root, 'gtkloop')):
        if f.endswith(('.h', '.h.in')):
            names.update(re.findall(r'\b(?:gtkloop_\w+|Gtkloop\w+|GTKLOOP_\w+)\b',
                                    read(os.path.join(root, 'gtkloop', f))))
    for d, _, files in os.walk(os.path.join(root, 'src')):
        for f in files:
            if f.endswith('.c'):
                names.update(re.findall(r'getenv \("(GTKLOOP_\w+)"\)', read(os.path.join(d, f))))
    return names


def check_names_and_links(root, pages, errors):
    declared = public_names(root)
    for page in pages:
        text = read(os.path.join(root, GUIDE, page))
        for name in sorted(set(re.findall(r'\b(?:gtkloop_\w+|Gtkloop\w+|GTKLOOP_\w+)\b', text))):
            if name not in declared:
                errors.append(f'{page}: {name} is not declared in gtkloop/*.h')
        for link in re.findall(r'\]\(([^)#\s]+)(?:#[^)]*)?\)', text):
            if re.match(r'^[a-z]+:', link):
                continue
            if not os.path.exists(os.path.normpath(os.path.join(root, GUIDE, link))):
                errors.append(f'{page}: the link {link} points nowhere')


def check_mapping(root, errors):
    listed = []
    for line in read(os.path.join(root, GUIDE, 'seed-names.txt')).splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            listed.append(line)
    mapped = set()
    for line in read(os.path.join(root, GUIDE, 'mapping.md')).splitlines():
        if line.startswith('|') and not line.startswith('|---'):
            first_cell = line.split('|')[1]
            mapped.update(re.findall(r'`([^`]+)`', first_cell))
    for name in listed:
        if name not in mapped:
            errors.append(f'mapping.md: no row for {name} (seed-names.txt)')
    return listed


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != '--update'):
        sys.exit(__doc__)
    root, build_dir, update = sys.argv[1], sys.argv[2], len(sys.argv) == 4
    pages = sorted(f for f in os.listdir(os.path.join(root, GUIDE)) if f.endswith('.md'))
    errors = []
    shown = check_copies(root, build_dir, pages, update, errors)
    examples = check_examples(root, shown, errors)
    check_names_and_links(root, pages, errors)
    listed = check_mapping(root, errors)
    for e in errors:
        print(e)
    print(f'{len(pages)} pages, {len(examples)} example files, '
          f'{len(listed)} asyncio names mapped: {len(errors)} problems')
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
