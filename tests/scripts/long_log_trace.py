"""long_log_trace.py TEXT MESSAGE: prints the text trace TEXT (gotrace
convert --to=text of examples/hello.trace) with its one user log made two
(the copy 5 ns after the first) and the log's message replaced by MESSAGE,
the sizes of the batches holding them mended. Exit 1 when TEXT has not
exactly one such log and message.

Each copied UserLog line encodes to the same bytes as the first (every
argument below 128, so one byte each); a string's data is its length, one
byte below 128, then its bytes."""
import sys

LOG_VALUE = 'value_string=27'
MESSAGE_ID = 'String id=27'


def grow(lines, batch, by):
    head, size = lines[batch].rsplit('size=', 1)
    lines[batch] = '%ssize=%d' % (head, int(size) + by)


def main():
    src = open(sys.argv[1]).read().split('\n')
    msg = sys.argv[2]
    out, batch, logs, strings, skip = [], None, 0, 0, False
    for i, line in enumerate(src):
        if skip:
            skip = False
            continue
        if line.startswith('EventBatch '):
            batch = len(out)
        out.append(line)
        if line.startswith('UserLog ') and LOG_VALUE in line.split():
            fields = line.split()
            fields[1] = 'dt=5'
            out.append(' '.join(fields))
            grow(out, batch, len(fields))  # the event type and 5 arguments
            logs += 1
        elif line == MESSAGE_ID:
            old = src[i + 1].strip()
            assert old.startswith('data="') and len(old) - 7 < 128 and len(msg) < 128
            out.append('\tdata="%s"' % msg)
            grow(out, batch, len(msg) - (len(old) - 7))
            strings += 1
            skip = True
    if logs != 1 or strings != 1:
        sys.exit(1)
    sys.stdout.write('\n'.join(out))


main()
