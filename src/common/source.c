#include "common/source.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t fd_read(void *ctx, void *buf, size_t cap)
{
    const gt_fd_source *st = ctx;
    for (;;) {
        ssize_t n = read(st->fd, buf, cap);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -(int64_t)errno;
    }
}

static int64_t fd_read_at(void *ctx, void *buf, size_t cap, uint64_t offset)
{
    const gt_fd_source *st = ctx;
    if (offset > (uint64_t)INT64_MAX - st->start)
        return -(int64_t)EINVAL;
    for (;;) {
        ssize_t n = pread(st->fd, buf, cap, (off_t)(st->start + offset));
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -(int64_t)errno;
    }
}

static void fd_close(void *ctx)
{
    gt_fd_source *st = ctx;
    if (st->own && st->fd >= 0)
        close(st->fd);
    st->fd = -1;
}

void gt_source_from_fd(gt_source *s, gt_fd_source *state, int fd, int own)
{
    *state = (gt_fd_source){fd, own, 0};
    *s = (gt_source){0};
    s->read = fd_read;
    s->ctx = state;
    s->close = fd_close;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        off_t at = lseek(fd, 0, SEEK_CUR);
        if (at >= 0 && at <= sb.st_size) {
            state->start = (uint64_t)at;
            s->size = (uint64_t)(sb.st_size - at);
            s->read_at = fd_read_at;
        }
    }
}

static int64_t stream_read(void *ctx, void *buf, size_t cap)
{
    FILE *fp = ctx;
    size_t n = fread(buf, 1, cap, fp);
    if (n == 0 && ferror(fp))
        return -(int64_t)(errno ? errno : EIO);
    return (int64_t)n;
}

void gt_source_from_stream(gt_source *s, FILE *fp)
{
    *s = (gt_source){0};
    s->read = stream_read;
    s->ctx = fp;
}

int gt_source_errno(int64_t ret)
{
    return ret < 0 && ret >= -4095 ? (int)-ret : EIO;
}

void gt_source_close(gt_source *s)
{
    void (*fn)(void *) = s->close;
    s->close = NULL;
    if (fn)
        fn(s->ctx);
}
