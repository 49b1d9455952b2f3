#!/usr/bin/python3
"""Runs one of the guide's C examples and the Python program beside it,
and fails unless both exit 0, print nothing on stderr, and print the same
lines in the same order on stdout.

    run-example.py C_PROGRAM PYTHON_PROGRAM
    run-example.py --alone PROGRAM [ARGUMENT...]

The second form is for the porting guides' programs, which have no Python
twin (they check their own results): it fails unless the program exits 0
and prints nothing on stderr.

The Python side is Debian's /usr/bin/python3 with stock asyncio, run every
time (there is no stored expected output to drift). The examples are
written so that no line depends on timing: nothing is normalised here.
"""
import difflib
import os
import subprocess
import sys

PYTHON = '/usr/bin/python3'
TIMEOUT = 120


def run(argv, what):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        sys.exit(f'{what} ({" ".join(argv)}) did not finish in {TIMEOUT} s')
    out = p.stdout.decode('utf-8', 'replace')
    err = p.stderr.decode('utf-8', 'replace')
    if p.returncode != 0 or err:
        sys.stdout.write(out)
        sys.exit(f'{what} ({" ".join(argv)}) exited with {p.returncode}'
                 + (f', and wrote on stderr:\n{err}' if err else ''))
    return out


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == '--alone':
        sys.stdout.write(run(sys.argv[2:], 'the example'))
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    c_program, py_program = sys.argv[1], sys.argv[2]
    c_out = run([c_program], 'the C example')
    py_out = run([PYTHON, py_program], 'the Python example')
    if c_out != py_out:
        diff = difflib.unified_diff(py_out.splitlines(True), c_out.splitlines(True),
                                    os.path.basename(py_program),
                                    os.path.basename(c_program))
        sys.stdout.writelines(diff)
        sys.exit('the C example and the Python example printed different lines')
    sys.stdout.write(c_out)
    print(f'-- {os.path.basename(c_program)} and {os.path.basename(py_program)}: '
          f'{len(c_out.splitlines())} lines, the same')


if __name__ == '__main__':
    main()
