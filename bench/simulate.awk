# simulate.awk: what reading generations in parallel (issue 18's design)
# would give, from measured per-generation costs. Input: the lines of
# `gotrace-bench --threads 1 --gens [--consume] FILE 2>&1` ("gen K events=N
# cpu_s=X": one thread's CPU time for generation K, reader and consumer).
# Each generation's cost is split by the measured per-stage profile into
#   R  the input's first pass (read + tables): a sequential stage of its own,
#   P  decode, merge, ordering, ID checks, reads back by offset: done for
#      different generations at once by W workers (speculative ordering),
#   S  = 1 - R - P: the join (time fix-up, assumption checks, handing events
#      over) and the caller's own work, sequential, in trace order,
# with at most 2 W generations in flight (read but not yet joined).
#
#   awk -v R=0.04 -v P=0.80 -f bench/simulate.awk GENS...
# Prints, for W = 1, 2, 4, 8, 16, 32: the simulated time, the speed-up over
# one thread (the sum of the costs) and the bound that limits it.
function max(a, b) { return a > b ? a : b }
/^gen / {
    for (i = 2; i <= NF; i++) if ($i ~ /^cpu_s=/) { c[n++] = substr($i, 7) + 0; total += c[n - 1] }
}
END {
    if (!n) { print "simulate.awk: no gen lines"; exit 1 }
    if (R == "") R = 0.04
    if (P == "") P = 0.80
    S = 1 - R - P
    big = 0
    for (i = 0; i < n; i++) big = max(big, c[i])
    printf "%d generations, %.3f s of one thread's CPU (largest %.3f s); R=%.2f P=%.2f S=%.2f\n", n, total, big, R, P, S
    split("1 2 4 8 16 32", ws, " ")
    for (wi = 1; wi <= 6; wi++) {
        W = ws[wi]
        delete wf; delete je; delete re
        rd = 0
        for (i = 0; i < n; i++) {
            rs = rd
            if (i >= 2 * W) rs = max(rs, je[i - 2 * W])
            re[i] = rs + R * c[i]; rd = re[i]
            k = 0
            for (j = 1; j < W; j++) if (wf[j] < wf[k]) k = j
            st = max(re[i], wf[k]); fin = st + P * c[i]; wf[k] = fin
            je[i] = max(fin, i ? je[i - 1] : 0) + S * c[i]
        }
        t = je[n - 1]
        bound = "workers (P/W)"
        if (S * total >= P * total / W && S * total >= R * total) bound = "join + caller (S)"
        else if (R * total >= P * total / W) bound = "input (R)"
        if (P * big > t / 4 && W >= n / 2) bound = bound ", few generations"
        printf "W=%-2d (%2d threads): %.3f s, %.2fx one thread; bound: %s\n", W, W + 2, t, total / t, bound
    }
}
