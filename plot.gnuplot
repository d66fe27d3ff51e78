# LayoutLab charts for one results folder. The lab does the statistics and writes chart-data/*.csv
# (layoutlab plot DIR writes them, then runs this script); gnuplot only draws.
#   gnuplot -e "results='results/default/latest'" plot.gnuplot
# Writes DIR/charts/<name>.png (1600×1000) and .svg, or DIR/charts/<shape>/<name>.* for each shape when the
# experiment has several:
#   growth-<allocator>      RSS (MiB) against nodes alive during allocate, a line per layout; dashed: the
#                           allocator's own active (else allocated) bytes. Repetition 1.
#   bytes-per-node          where a node's bytes go, stacked, per layout × allocator (medians).
#   phase-times-<allocator> ns per node of each phase by layout (median, min–max whiskers), log scale.
#   timeline-<allocator>    RSS (MiB) through every phase of repetition 1, phase boundaries marked; with an idle
#                           phase on a seconds axis, the idle spans shaded.
#   idle-return             RSS through the first idle phase against seconds asleep, a panel per layout, a line
#                           per allocator and repetition.
#   comparison-rss, comparison-ns   each allocator ÷ the first: ratio of geometric means and 95 % Welch interval, 1.0 line
#                                   (no whisker and "(n < 2)" where a side has fewer than two repetitions).
#   comparison-runs-rss, comparison-runs-ns   after `layoutlab compare A B`, in B: allocator X in B ÷ the same X in A,
#                                   with the folders A and B named (chart-data/comparison-runs-folders.txt).
#   staircase-<family>-<layout>   sweeps: usable and RSS bytes per node against requested (plot-staircase.gnuplot).
#   size-classes-<layout>   length distributions: requested sizes among the size classes (plot-size-classes.gnuplot).
#   scaling-<allocator>, fork   threads: ns and RSS per node against T; fork: a child's un-shared bytes per node
#                           (plot-threads.gnuplot). A threaded experiment's other charts show its smallest T.
#   program-rss             programs: RSS over time, a panel per program, a line per allocator (plot-programs.gnuplot).
#   program-comparison-peak, program-comparison-wall   programs: each program under each allocator ÷ under the first,
#                           peak RSS and wall time, as comparison-* (plot-programs.gnuplot).
#   replay-comparison-usable, -rss, -ns   traces: each trace under each allocator ÷ under the first, live usable
#                           bytes and RSS growth at the trace's peak, replay ns per event (plot-replay.gnuplot).
#   replay-rss              traces: RSS against events replayed, a panel per trace, a line per allocator
#                           (plot-replay.gnuplot).
# Every chart shows one shape at the largest node count (a staircase: a sweep family); a chart with no data says so.

if (!exists("results")) results = "results/default/latest"
# Scripts beside this one: the comparison bars (called for each comparison chart, here and, through
# plot-comparison-list.gnuplot, for programs and traces), and the charts of sweeps, threads, programs and traces
# (loaded at the end).
scripts = system(sprintf("dirname '%s'", ARG0))
bars_script = scripts."/plot-comparison-bars.gnuplot"

rows(name) = int(system(sprintf("awk 'END { print NR - 1 }' '%s/%s' 2>/dev/null || echo 0", data, name)))
distinct(name, column) = system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"%s\") k = i; next } !seen[$k]++ { printf \"%%s \", $k }' '%s/%s'", column, data, name))

set datafile separator comma
set datafile columnheaders
set grid lc rgb "#dddddd"
set key top left box opaque
# Titles are a headline and the subtitle's lines (subtitle.txt wraps them to fit 1600 pixels at this size).
set title font ",16"
set style fill solid 0.85 border -1

# A cell as a number, NaN (a gap in a line) when it is empty.
cell(name) = strcol(name) eq "" ? NaN : column(name)

# Draws an empty frame that says why a chart has nothing in it.
nothing(text) = sprintf("set xrange [0:1]; set yrange [0:1]; unset logscale; set label 99 \"%s\" at 0.5,0.5 center font \",22\"; plot 1/0 notitle; unset label 99; set xrange [*:*]; set yrange [*:*]", text)

# One set of charts per shape: chart-data/shapes.txt lists the subfolders ("." for a single shape).
shapes = system(sprintf("cat '%s/chart-data/shapes.txt' 2>/dev/null", results))
if (strlen(shapes) == 0) { shapes = "." }
do for [sub in shapes] {
    # `-`: no set of per-shape charts (every shape is a sweep member: see the staircases).
    if (sub eq "-") { continue }
    data = results."/chart-data/".sub
    out = results."/charts/".sub
    dummy = system(sprintf("mkdir -p '%s'", out))
    subtitle = system(sprintf("cat '%s/subtitle.txt'", data))
    do for [format in "pngcairo svg"] {
        ext = format eq "pngcairo" ? "png" : "svg"
        if (format eq "pngcairo") {
            set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        } else {
            set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        }

        # 1. Growth during allocate, one chart per allocator. Layouts that grow by at most a quarter of the
        # largest in their panel are drawn again in the next one (growth.csv's panel column, up to 3), with their
        # own y scale: on the shared axis a struct-array is a line along the bottom. An empty cell breaks the
        # line (NaN), it is never drawn as 0.
        allocators = distinct("growth.csv", "allocator")
        layouts = distinct("growth.csv", "layout")
        if (rows("growth.csv") == 0) { allocators = "none" }
        do for [allocator in allocators] {
            set output sprintf("%s/growth-%s.%s", out, allocator, ext)
            headline = sprintf("Resident memory while nodes are allocated — %s (repetition 1)\n%s", allocator, subtitle)
            set xlabel "nodes alive (millions)"
            set ylabel "RSS (MiB); dashed: allocator's own active or allocated bytes (MiB)"
            unset logscale
            if (allocator eq "none") { set title headline; eval nothing("no successful trial to draw") } else {
            figure = system(sprintf("awk -F, '$1 == \"%s\" && $5 != \"\" { print $6; exit }' '%s/growth.csv'", allocator, data))
            npanels = int(system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"panel\") p = i; next } $1 == \"%s\" && $p > m { m = $p } END { print m + 0 }' '%s/growth.csv'", allocator, data)))
            if (npanels < 1) { npanels = 1 }
            if (figure eq "") { set label 98 "this allocator reports no active or allocated figure: no dashed lines" at graph 0.02, graph 0.6 font ",14" }
            # Layouts of equal size (class and final-class) draw the same line: earlier layouts are drawn wider
            # and each has its own open point shape, so a line drawn over another leaves it visible.
            points = "6 4 2 8 10 12 14 1 3 5 7"
            if (npanels > 1) {
                set multiplot layout 1,npanels title headline font ",16"
                set title "all layouts, one scale" font ",15"
                set ylabel "RSS (MiB); dashed: allocator's active or allocated (MiB)" font ",15"
            } else {
                set title headline
            }
            plot for [i=1:words(layouts)] data."/growth.csv" \
                    using (strcol("allocator") eq allocator && strcol("layout") eq word(layouts, i) ? column("nodes_alive_millions") : NaN):(cell("rss_mib")) \
                    with linespoints pt int(word(points, i)) ps 2 pi 8 lw (words(layouts) - i + 1) * 1.3 lc i title word(layouts, i), \
                 for [i=1:words(layouts)] data."/growth.csv" \
                    using (strcol("allocator") eq allocator && strcol("layout") eq word(layouts, i) ? column("nodes_alive_millions") : NaN):(cell("allocator_mib")) \
                    with lines dt 2 lc i notitle
            if (npanels > 1) {
                set ylabel "RSS growth (MiB); dashed: allocator's figure's growth (MiB)" font ",15"
                do for [p=2:npanels] {
                    inpanel = system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"panel\") k = i; next } $1 == \"%s\" && $k == %d && !seen[$2]++ { printf \"%%s \", $2 }' '%s/growth.csv'", allocator, p, data))
                    set title sprintf("%s layouts: own scale, growth since the first sample", p == 2 ? "smaller" : "smallest") font ",15"
                    plot for [i=1:words(layouts)] data."/growth.csv" \
                            using (strcol("allocator") eq allocator && strcol("layout") eq word(layouts, i) && int(column("panel")) == p ? column("nodes_alive_millions") : NaN):(cell("rss_growth_mib")) \
                            with linespoints pt int(word(points, i)) ps 2 pi 8 lw (words(layouts) - i + 1) * 1.3 lc i \
                            title (strstrt(" ".inpanel, " ".word(layouts, i)." ") > 0 ? word(layouts, i) : ""), \
                         for [i=1:words(layouts)] data."/growth.csv" \
                            using (strcol("allocator") eq allocator && strcol("layout") eq word(layouts, i) && int(column("panel")) == p ? column("nodes_alive_millions") : NaN):(cell("allocator_growth_mib")) \
                            with lines dt 2 lc i notitle
                }
                unset multiplot
                set title font ",16"
                set ylabel font ",18"
            }
            unset label 98
            }
        }

        # 2. Where the bytes go.
        set output sprintf("%s/bytes-per-node.%s", out, ext)
        balloc = distinct("breakdown.csv", "allocator")
        if (strlen(balloc) > 1) { balloc = balloc[1:strlen(balloc) - 1] }
        set title sprintf("Where a node's bytes go (median over repetitions; bars left to right: %s; label: RSS B/node)\n%s", balloc, subtitle)
        set offsets 0, 0, graph 0.08, 0
        set xlabel ""
        set ylabel "bytes per node (B/node)"
        unset logscale
        if (rows("breakdown.csv") == 0) { eval nothing("no successful trial with a probe to draw") } else {
            blayouts = distinct("breakdown.csv", "layout")
            set xtics ()
            do for [i=1:words(blayouts)] { set xtics add (word(blayouts, i) i) }
            if (words(blayouts) > 4) { set xtics rotate by -25 font ",14" }
            set xrange [0.4:words(blayouts) + 0.6]
            set yrange [0:*]
            # Three rows of entries, each short enough that the key's box fits inside the 1600-pixel canvas.
            set key below horizontal maxrows 3 font ",14" width -2
            nalloc = words(distinct("breakdown.csv", "allocator"))
            half = 0.4 / nalloc
            keys = "payload padding headers dictionary_storage out_of_line rounding allocator_overhead page_overhead not_attributed container"
            names = "payload (the fields);padding (alignment);headers & bookkeeping;dictionary storage;out-of-line storage (strings, arrays, and in dict-class its dictionary);allocator rounding (usable − requested);allocator overhead (active/allocated − usable);page & RSS overhead (RSS − the rest);not attributed (a figure missing or too small);container slot (reference array)"
            colors = "#4477aa #99bbdd #66ccee #994455 #dd7788 #228833 #ccbb44 #ee6677 #bbbbbb #aa3377"
            # A segment the lab could not measure has empty cells: gnuplot skips it, nothing is drawn as 0. The
            # part of a usable size that was never touched (not in RSS) is an outline above the filled bar.
            plot for [s=1:words(keys)] data."/breakdown.csv" \
                    using (column("x")):(0):(column("x") - half):(column("x") + half):(column(word(keys, s)."_bottom")):(column(word(keys, s)."_top")) \
                    with boxxyerror lc rgb word(colors, s) title system(sprintf("echo '%s' | cut -d';' -f%d", names, s)), \
                 data."/breakdown.csv" \
                    using (column("x")):(0):(column("x") - half):(column("x") + half):(column("not_resident_bottom")):(column("not_resident_top")) \
                    with boxxyerror fs empty border rgb "#222222" lc rgb "#222222" dt 2 title "usable, never touched: not in RSS (upper label: +B/node)", \
                 data."/breakdown.csv" using (column("x")):(column("bar_top")):(strcol("label")) \
                    with labels offset 0,0.7 font ",11" notitle, \
                 data."/breakdown.csv" using (column("x")):(column("not_resident_top")):(sprintf("+%.1f", column("not_resident"))) \
                    with labels offset 0,1.6 font ",11" notitle
            set xtics norotate autofreq font ",18"
            set xrange [*:*]
            set yrange [*:*]
            set key top left vertical inside font ",18"
        }
        set offsets 0, 0, 0, 0

        # 3. Phases: ns per node by phase, and RSS through the whole trial.
        if (rows("phase-times.csv") > 0) {
            pallocators = distinct("phase-times.csv", "allocator")
            playouts = distinct("phase-times.csv", "layout")
            plabels = system(sprintf("awk -F, 'NR > 1 { printf \"%%s \", $2 }' '%s/phases.csv'", data))
            do for [allocator in pallocators] {
                set output sprintf("%s/phase-times-%s.%s", out, allocator, ext)
                set title sprintf("Time per node of each phase — %s (median, min–max; empty: the phase cannot apply)\n%s", allocator, subtitle)
                # No x label: the phase names are the tics, and the key sits below them.
                set xlabel ""
                set ylabel "ns per node (ns/node, log scale)"
                set logscale y
                set xtics ()
                do for [i=1:words(plabels)] { set xtics add (word(plabels, i) i - 1) }
                set xtics rotate by -30 font ",14"
                set xrange [-0.6:words(plabels) - 0.4]
                bw = 0.8 / words(playouts)
                # The key goes below the frame: the tallest bar and its whisker can be in any phase, the first included.
                set key below horizontal font ",16"
                plot for [i=1:words(playouts)] data."/phase-times.csv" \
                        using (strcol("allocator") eq allocator && strcol("layout") eq word(playouts, i) ? column("x") : NaN):(column("ns_median")):(bw) \
                        with boxes lc i title word(playouts, i), \
                     data."/phase-times.csv" using (strcol("allocator") eq allocator ? column("x") : NaN):(column("ns_median")):(column("ns_min")):(column("ns_max")) \
                        with yerrorbars lc rgb "black" pt -1 notitle
                set key top left inside vertical font ",18"
                unset logscale
                set xtics norotate autofreq font ",18"
                set xrange [*:*]

                set output sprintf("%s/timeline-%s.%s", out, allocator, ext)
                if (rows("timeline-seconds.csv") > 0) {
                    # An experiment that sleeps (an idle phase): seconds on x, a triangle where each phase of a line
                    # begins, and each line's idle span as a bar of its colour along the top (the lines' idle spans
                    # overlap, and a full-height shade of one would cover another's allocate).
                    set title sprintf("RSS over time — %s (repetition 1)\nx: the phases' own seconds (sampling excluded) · bars along the top: each line's idle span, asleep · ▲: a phase begins\n%s", allocator, subtitle)
                    set xlabel "seconds since the trial's first phase began"
                    set ylabel "RSS (MiB)"
                    set key center right inside vertical font ",16"
                    set offsets 0, 0, graph 0.08, 0
                    do for [i=1:words(playouts)] {
                        spans = system(sprintf("awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next } $c[\"allocator\"] == \"%s\" && $c[\"layout\"] == \"%s\" && $c[\"is_idle\"] == 1 { printf \"%%s %%s \", $c[\"start_seconds\"], $c[\"end_seconds\"] }' '%s/timeline-spans.csv'", allocator, word(playouts, i), data))
                        do for [k=1:words(spans)/2] {
                            set object (100 + 10 * i + k) rectangle from first real(word(spans, 2 * k - 1)), graph 1 - 0.016 * i to first real(word(spans, 2 * k)), graph 1 - 0.016 * (i - 1) - 0.003 \
                                front fc lt i fs solid 0.6 noborder
                        }
                    }
                    set label 97 "idle" at graph 0.005, graph 1 - 0.008 * words(playouts) right offset -0.5,0 font ",13"
                    plot for [i=1:words(playouts)] data."/timeline-seconds.csv" \
                            using (strcol("allocator") eq allocator && strcol("layout") eq word(playouts, i) ? column("seconds") : NaN):(cell("rss_mib")) \
                            with linespoints pt 7 ps 0.4 lc i title word(playouts, i), \
                         for [i=1:words(playouts)] data."/timeline-spans.csv" \
                            using (strcol("allocator") eq allocator && strcol("layout") eq word(playouts, i) ? column("start_seconds") : NaN):(cell("start_rss_mib")) \
                            with points pt 9 ps 2.2 lc i notitle, \
                         data."/timeline-spans.csv" \
                            using (strcol("allocator") eq allocator && strcol("layout") eq word(playouts, 1) ? column("start_seconds") : NaN):(cell("start_rss_mib")):(strcol("phase_label")) \
                            with labels left offset 1,1 font ",13" notitle
                    unset object
                    unset label 97
                    set offsets 0, 0, 0, 0
                    set key top left inside vertical font ",18"
                } else {
                    set title sprintf("RSS through every phase — %s (repetition 1; x: progress within each phase)\n%s", allocator, subtitle)
                    set xlabel ""
                    set ylabel "RSS (MiB)"
                    set xtics ()
                    do for [i=1:words(plabels)] { set xtics add (word(plabels, i) i - 0.5) }
                    set xtics rotate by -30 font ",14"
                    set grid noxtics
                    do for [i=1:words(plabels) - 1] { set arrow i from i, graph 0 to i, graph 1 nohead dt 3 lc rgb "#888888" }
                    set xrange [0:words(plabels)]
                    # The key goes below the frame: a layout's plateau can sit anywhere, the top left included.
                    set key below horizontal font ",16"
                    plot for [i=1:words(playouts)] data."/timeline.csv" \
                            using (strcol("allocator") eq allocator && strcol("layout") eq word(playouts, i) ? column("x") : NaN):(column("rss_mib")) \
                            with linespoints pt 7 ps 0.4 lc i title word(playouts, i)
                    set key top left inside vertical font ",18"
                    unset arrow
                    set grid xtics
                    set xtics norotate autofreq font ",18"
                    set xrange [*:*]
                }
            }
        }

        # 3b. Memory returned while the worker sleeps (an idle phase): RSS against seconds asleep, a panel per
        # layout, a line per allocator (every repetition, thin; the first titled). A line that falls is memory the
        # allocator gave back to the system with nobody calling it.
        if (rows("idle-return.csv") > 0) {
            set output sprintf("%s/idle-return.%s", out, ext)
            ilayouts = distinct("idle-return.csv", "layout")
            iallocators = distinct("idle-return.csv", "allocator")
            reps = int(system(sprintf("awk -F, 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' '%s/idle-return.csv'", data)))
            set multiplot layout words(ilayouts),1 title sprintf("RSS while the worker sleeps (the first idle phase; every repetition): falling = returned to the system unasked\n%s", subtitle) font ",16"
            set xlabel "seconds asleep"
            set ylabel "RSS (MiB)" font ",15"
            set key outside right vertical font ",14"
            set ytics font ",12"
            do for [l=1:words(ilayouts)] {
                set title word(ilayouts, l) font ",15"
                # From 0, so that a fall is drawn to scale; four or five tics of 1, 2 or 5 × 10^k MiB.
                ymax = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && $5 != \"\" && $5 > m { m = $5 } END { print m + 0 }' '%s/idle-return.csv'", word(ilayouts, l), data)))
                if (ymax <= 0) { ymax = 1 }
                magnitude = 10 ** floor(log10(ymax / 4))
                step = ymax / 4 / magnitude < 2 ? magnitude : (ymax / 4 / magnitude < 5 ? 2 * magnitude : 5 * magnitude)
                set yrange [0:*]
                set ytics step
                if (l < words(ilayouts)) { set xlabel "" } else { set xlabel "seconds asleep" }
                plot for [a=1:words(iallocators)] for [r=1:reps] data."/idle-return.csv" \
                        using (strcol("layout") eq word(ilayouts, l) && strcol("allocator") eq word(iallocators, a) && int(column("repetition")) == r ? column("seconds_asleep") : NaN):(cell("rss_mib")) \
                        with linespoints pt 7 ps 0.5 lw (r == 1 ? 2 : 1) lc a title (r == 1 ? word(iallocators, a) : "")
            }
            unset multiplot
            set title font ",16"
            set ylabel font ",18"
            set ytics autofreq font ",18"
            set yrange [*:*]
            set key top left inside vertical font ",18"
        }

        # 4. Comparison with the first allocator (comparison-rss, -ns: each bar is allocator X ÷ the first).
        # comparison-runs-*: this folder (B) against another run (A), written by `layoutlab compare A B`: each
        # bar is allocator X in B ÷ the same X in A; comparison-runs-folders.txt names the two folders.
        do for [metric in "rss ns runs-rss runs-ns"] {
            file = sprintf("comparison-%s.csv", metric)
            if (rows(file) > 0) {
                runs = strstrt(metric, "runs") > 0
                what = (metric eq "rss" || metric eq "runs-rss") ? "RSS bytes per node" : "Allocate ns per node"
                if (runs) {
                    sides = sprintf("%s/comparison-runs-folders.txt", data)
                    folderA = system(sprintf("awk -F'\t' '$1 == \"A\" { print $2 }' '%s' 2>/dev/null", sides))
                    folderB = system(sprintf("awk -F'\t' '$1 == \"B\" { print $2 }' '%s' 2>/dev/null", sides))
                    if (folderA eq "") { folderA = "not recorded (run layoutlab compare A B again)" }
                    if (folderB eq "") { folderB = "this folder" }
                    title_text = sprintf("%s: each allocator in run B ÷ the same allocator in run A (ratio of geometric means, 95 %% Welch interval)\nA: %s\nB: %s\n%s", \
                        what, folderA, folderB, subtitle)
                    ylabel_text = "ratio X (B) ÷ X (A), same allocator X (dashed: 1.0, B same as A)"
                } else {
                    base = system(sprintf("awk -F, 'NR == 2 { print $6 }' '%s/%s'", data, file))
                    title_text = sprintf("%s of each allocator ÷ %s (ratio of geometric means, 95 %% Welch interval)\n%s", what, base, subtitle)
                    ylabel_text = sprintf("ratio to %s (dashed: 1.0, the same as %s)", base, base)
                }
                bars_table = data."/".file
                bars_output = sprintf("%s/comparison-%s.%s", out, metric, ext)
                bars_xlabel = "layout and allocator"
                call bars_script bars_table bars_output title_text ylabel_text bars_xlabel
                unset output
            }
        }
        unset output
    }
}

# The charts of sweeps and of length distributions, from scripts beside this one.
# (A copy of this script run without them draws the rest and says so.)
do for [extra in "plot-staircase.gnuplot plot-size-classes.gnuplot plot-threads.gnuplot plot-programs.gnuplot plot-replay.gnuplot"] {
    if (system(sprintf("test -f '%s/%s' && echo found", scripts, extra)) eq "found") {
        load scripts."/".extra
    } else {
        print sprintf("plot.gnuplot: no %s beside it (in %s): its charts are not drawn", extra, scripts)
    }
}
