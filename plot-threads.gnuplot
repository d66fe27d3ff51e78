# LayoutLab: threads and forked processes (issue 16), loaded by plot.gnuplot, which defines `results`, `rows`,
# `distinct` and `cell`; the lab writes chart-data/<shape>/scaling.csv and fork.csv, gnuplot only draws.
#   scaling-<allocator>   experiments with "threads": a column per phase; above, wall ns per node (log scale),
#                         below, RSS above the trial's baseline ÷ nodes at the phase's end, against threads
#                         (log 2 scale), a line per layout: median over repetitions, whiskers their range (min to
#                         max; none with one repetition); T above the machine's cores shaded
#                         (oversubscribed); a missing trial is a gap in its line, never a 0.
#   fork                  experiments with a fork phase: a panel per allocator; a point per layout and fork phase,
#                         x the layout's bytes per node in the parent, y what a child's Private_Dirty grew by ÷
#                         nodes; shape: the children's work, colour: gc.freeze (Python) or none (Swift);
#                         dashed y = x: a child that un-shares every byte the parent holds for its nodes.
# Written to DIR/charts/scaling-<allocator>.png, fork.png and .svg (DIR/charts/<shape>/ with several shapes).

threadShapes = system(sprintf("cat '%s/chart-data/shapes.txt' 2>/dev/null", results))
if (strlen(threadShapes) == 0) { threadShapes = "." }
do for [sub in threadShapes] {
    data = results."/chart-data/".sub
    if (sub ne "-" && (rows("scaling.csv") > 0 || rows("fork.csv") > 0)) {
        tout = results."/charts/".sub
        dummy = system(sprintf("mkdir -p '%s'", tout))
        subtitle = system(sprintf("cat '%s/subtitle.txt'", data))
        titleLines = int(system(sprintf("wc -l < '%s/subtitle.txt'", data))) + 1
        do for [format in "pngcairo svg"] {
            ext = format eq "pngcairo" ? "png" : "svg"
            if (format eq "pngcairo") {
                set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
            } else {
                set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
            }

            if (rows("scaling.csv") > 0) {
                sallocators = distinct("scaling.csv", "allocator")
                slayouts = distinct("scaling.csv", "layout")
                sthreads = distinct("scaling.csv", "threads")
                npanels = int(system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"panel\") k = i; next } $k > m { m = $k } END { print m + 0 }' '%s/scaling.csv'", data)))
                cores = system(sprintf("sed -n 1p '%s/scaling.txt'", data))
                # Lines 2 on: the headline's second line and the subtitle without the line about T = 1 (this chart shows every T).
                headtail = system(sprintf("sed -n '2,$p' '%s/scaling.txt'", data))
                headLines = int(system(sprintf("wc -l < '%s/scaling.txt'", data)))
                tmin = real(word(sthreads, 1))
                tmax = real(word(sthreads, words(sthreads)))
                do for [allocator in sallocators] {
                    set output sprintf("%s/scaling-%s.%s", tout, allocator, ext)
                    set multiplot title sprintf("Scaling with threads — %s: wall ns per node (above) and RSS per node (below) against threads\n%s", allocator, headtail) font ",15"
                    top = 1.0 - 0.028 * (headLines + 1) - 0.02
                    bottom = 0.17
                    width = 0.88 / npanels
                    height = (top - bottom) / 2
                    unset logscale
                    set logscale x 2
                    set xrange [tmin / 1.35:tmax * 1.35]
                    set xtics () font ",13"
                    do for [t in sthreads] { set xtics add (t real(t)) }
                    set ytics font ",13"
                    set grid
                    set key off
                    # The shaded T above the machine's cores, named inside it.
                    if (cores ne "" && tmax > real(cores)) {
                        set object 1 rect from first real(cores) * 1.41, graph 0 to graph 1, graph 1 behind fc rgb "#e8e8e8" fs solid 1.0 noborder
                    }
                    # Layouts side by side at each T (a few per cent apart on the log axis), so whiskers do not cover each other.
                    shift(i) = 2 ** (0.035 * (i - (words(slayouts) + 1) / 2.0))
                    do for [p=1:npanels] {
                        plabel = system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == \"panel\") k = i; if ($i == \"phase_label\") l = i }; next } $k == %d { print $l; exit }' '%s/scaling.csv'", p, data))
                        set lmargin at screen 0.1 + (p - 1) * width
                        set rmargin at screen 0.1 + p * width - 0.035
                        do for [row=1:2] {
                            ns = row == 1
                            metric = ns ? "ns_per_node" : "rss_bytes_per_node"
                            set tmargin at screen top - (row - 1) * height - (row == 1 ? 0.0 : 0.045)
                            set bmargin at screen top - row * height + (row == 1 ? 0.06 : 0.0)
                            set title sprintf("%s: %s", plabel, ns ? "wall ns per node" : "RSS per node at the phase's end") font ",14"
                            set xlabel (row == 2 ? "threads T (log 2 scale)" : "") font ",13"
                            set ylabel (p == 1 ? (ns ? "ns per node (ns/node, log scale)" : "RSS above baseline ÷ nodes (B/node)") : "") font ",13"
                            if (ns) { set logscale y 10 } else { unset logscale y; set yrange [*:*] }
                            valid = int(system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == \"allocator\") a = i; if ($i == \"panel\") k = i; if ($i == \"%s_median\") v = i }; next } $a == \"%s\" && $k == %d && $v != \"\" { n++ } END { print n + 0 }' '%s/scaling.csv'", metric, allocator, p, data)))
                            if (valid == 0) {
                                set label 97 "no trial measured this" at graph 0.5, graph 0.5 center font ",14"
                                plot [tmin / 1.35:tmax * 1.35] [1:10] for [i=1:words(slayouts)] NaN with linespoints lc i pt 7 title word(slayouts, i)
                                unset label 97
                            } else {
                                plot for [i=1:words(slayouts)] data."/scaling.csv" \
                                        using (strcol("allocator") eq allocator && int(column("panel")) == p && strcol("layout") eq word(slayouts, i) ? column("threads") * shift(i) : NaN):(cell(metric."_median")) \
                                        with linespoints pt 7 ps 1.3 lw 2 lc i title word(slayouts, i), \
                                     for [i=1:words(slayouts)] data."/scaling.csv" \
                                        using (strcol("allocator") eq allocator && int(column("panel")) == p && strcol("layout") eq word(slayouts, i) ? column("threads") * shift(i) : NaN):(cell(metric."_median")):(cell(metric."_min")):(cell(metric."_max")) \
                                        with yerrorbars pt -1 lw 1.5 lc i notitle
                            }
                        }
                    }
                    # The key: a plot of its own across the bottom (a key inside one panel is only as wide as that panel).
                    unset object 1
                    set lmargin at screen 0.05
                    set rmargin at screen 0.95
                    set tmargin at screen 0.07
                    set bmargin at screen 0.005
                    unset border
                    unset xtics
                    unset ytics
                    unset grid
                    unset logscale
                    set title ""
                    set xlabel ""
                    set ylabel ""
                    set key inside center center horizontal maxrows 1 font ",14" box opaque
                    shaded = cores ne "" && tmax > real(cores) ? sprintf("shaded: T above %s cores, oversubscribed", cores) : ""
                    plot [0:1] [0:1] for [i=1:words(slayouts)] NaN with linespoints pt 7 ps 1.3 lw 2 lc i title word(slayouts, i), \
                         keyentry with boxes fs solid 1.0 noborder fc rgb (shaded eq "" ? "#ffffff" : "#e8e8e8") title shaded
                    set border
                    set xtics
                    set ytics
                    set key off
                    unset multiplot
                    unset object 1
                    unset logscale
                    set title font ",16"
                    set xlabel font ",18"
                    set ylabel font ",18"
                    set xtics autofreq font ",18"
                    set ytics autofreq font ",18"
                    set xrange [*:*]
                    set yrange [*:*]
                    set key top left inside vertical font ",18" box opaque
                    set lmargin -1
                    set rmargin -1
                    set tmargin -1
                    set bmargin -1
                    set grid lc rgb "#dddddd"
                }
            }

            if (rows("fork.csv") > 0) {
                set output sprintf("%s/fork.%s", tout, ext)
                fallocators = distinct("fork.csv", "allocator")
                n = words(fallocators)
                cols = n <= 2 ? n : 2
                rws = int((n + cols - 1) / cols)
                set multiplot title sprintf("What a forked child un-shares: its Private_Dirty growth per node against the node's bytes in the parent (median over repetitions)\n%s", subtitle) font ",15"
                top = 1.0 - 0.028 * (titleLines + 1) - 0.02
                bottom = 0.17
                width = 0.92 / cols
                height = (top - bottom) / rws
                unset logscale
                set grid
                xmax = real(system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"rss_bytes_per_node\") k = i; next } $k + 0 > m { m = $k + 0 } END { print m + 0 }' '%s/fork.csv'", data)))
                ymax = real(system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"child_private_dirty_bytes_per_node\") k = i; next } $k + 0 > m { m = $k + 0 } END { print m + 0 }' '%s/fork.csv'", data)))
                if (xmax <= 0) { xmax = 1 }
                if (ymax <= 0) { ymax = 1 }
                hi = (xmax > ymax ? xmax : ymax) * 1.15
                set xrange [0:xmax * 1.2]
                set yrange [0:hi]
                set xtics autofreq font ",13"
                set ytics autofreq font ",13"
                # Series: work traverse / mutate / none × gc.freeze n/a (Swift) / no / yes (Python), numbered 1…9.
                fpoint(s) = int(word("6 6 7 8 8 9 4 4 5", s))
                fcolor(s) = word("#222222 #ee7733 #0077bb #222222 #ee7733 #0077bb #222222 #ee7733 #0077bb", s)
                slabel(s) = system(sprintf("awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == \"series\") k = i; if ($i == \"series_label\") l = i }; next } $k == %d { print $l; exit }' '%s/fork.csv'", s, data))
                do for [a=1:n] {
                    allocator = word(fallocators, a)
                    c = (a - 1) % cols
                    r = int((a - 1) / cols)
                    set lmargin at screen 0.07 + c * width
                    set rmargin at screen 0.07 + (c + 1) * width - 0.04
                    set tmargin at screen top - r * height - 0.01
                    set bmargin at screen top - (r + 1) * height + 0.07
                    set title sprintf("%s", allocator) font ",15"
                    set xlabel "the layout's bytes per node in the parent: rss_bytes_per_node (B/node)" font ",13"
                    set ylabel (c == 0 ? "child Private_Dirty growth ÷ nodes (B/node)" : "") font ",13"
                    set key off
                    plot x with lines dt 2 lw 1.5 lc rgb "#666666" notitle, \
                         for [s=1:9] data."/fork.csv" \
                            using (strcol("allocator") eq allocator && int(column("series")) == s ? column("rss_bytes_per_node") : NaN):(cell("child_private_dirty_bytes_per_node")) \
                            with points pt fpoint(s) ps 2.2 lw 2 lc rgb fcolor(s) notitle, \
                         data."/fork.csv" \
                            using (strcol("allocator") eq allocator ? column("rss_bytes_per_node") : NaN):(cell("child_private_dirty_bytes_per_node")):(strcol("point_label") eq "-" ? "" : strcol("point_label")) \
                            with labels offset 1.2, 0.9 left font ",12" notitle
                }
                # The key: a plot of its own across the bottom (a key inside one panel is only as wide as that panel).
                fseries = distinct("fork.csv", "series")
                set lmargin at screen 0.03
                set rmargin at screen 0.97
                set tmargin at screen 0.085
                set bmargin at screen 0.005
                unset border
                unset xtics
                unset ytics
                unset grid
                set title ""
                set xlabel ""
                set ylabel ""
                set key inside center center horizontal maxrows 2 font ",14" box opaque
                plot [0:1] [0:1] NaN notitle, keyentry with lines dt 2 lw 1.5 lc rgb "#666666" title "y = x: a child un-shares every byte of its nodes", \
                     for [s in fseries] keyentry with points pt fpoint(int(s)) ps 2.2 lw 2 lc rgb fcolor(int(s)) title slabel(int(s))
                set border
                set xtics
                set ytics
                unset multiplot
                set key top left inside vertical font ",18" box opaque
                set lmargin -1
                set rmargin -1
                set tmargin -1
                set bmargin -1
                set title font ",16"
                set xlabel font ",18"
                set ylabel font ",18"
                set xtics autofreq font ",18"
                set ytics autofreq font ",18"
                set xrange [*:*]
                set yrange [*:*]
            }
        }
        unset output
    }
}
