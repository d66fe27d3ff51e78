# LayoutLab: the size-class staircase of each sweep (loaded by plot.gnuplot, which defines `results`, `rows`,
# `distinct` and `cell`; the lab writes chart-data/staircases.txt and the tables, gnuplot only draws).
#   staircase-<family>-<layout>   top: usable bytes per node (steps, malloc_usable_size in the probe) and RSS
#                                 bytes per node (points) against requested bytes per node, a line per allocator,
#                                 y = x dotted; below: the same minus the request (line: usable, circles: RSS).
#                                 Medians over repetitions.
# Written to DIR/charts/staircase-<family>-<layout>.png and .svg.

staircases = system(sprintf("cat '%s/chart-data/staircases.txt' 2>/dev/null", results))
if (words(staircases) > 1) {
    data = results."/chart-data"
    sout = results."/charts"
    dummy = system(sprintf("mkdir -p '%s'", sout))
    do for [k=1:words(staircases) / 2] {
        stem = word(staircases, 2 * k - 1)
        logx = word(staircases, 2 * k) eq "log"
        file = stem.".csv"
        stitle = system(sprintf("cat '%s/%s.txt'", data, stem))
        titleLines = int(system(sprintf("wc -l < '%s/%s.txt'", data, stem))) + 1
        top = 1.0 - 0.03 * titleLines - 0.03
        sallocators = distinct(file, "allocator")
        do for [format in "pngcairo svg"] {
            ext = format eq "pngcairo" ? "png" : "svg"
            if (format eq "pngcairo") {
                set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
            } else {
                set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
            }
            set output sprintf("%s/%s.%s", sout, stem, ext)
            unset logscale
            if (logx) { set logscale x 2; set logscale y 2 }
            set autoscale xfix
            set multiplot title sprintf("Usable and resident bytes per node against requested bytes per node (medians over repetitions)\n%s", stitle) font ",16"
            set lmargin at screen 0.10
            set rmargin at screen 0.97
            set tmargin at screen top
            set bmargin at screen 0.40
            set title ""
            set xlabel ""
            set ylabel (logx ? "bytes per node (B/node, log scale)" : "bytes per node (B/node)")
            # Allocators that share a size class draw the same step: earlier ones are drawn wider, so each stays visible.
            set key bottom right box opaque font ",13" maxrows 5 width -2
            plot for [i=1:words(sallocators)] data."/".file \
                    using (strcol("allocator") eq word(sallocators, i) ? cell("requested_bytes_per_node") : NaN):(cell("usable_bytes_per_node")) \
                    with fsteps lw (words(sallocators) - i + 1) * 1.2 lc i title word(sallocators, i)." usable (steps)", \
                 for [i=1:words(sallocators)] data."/".file \
                    using (strcol("allocator") eq word(sallocators, i) ? cell("requested_bytes_per_node") : NaN):(cell("rss_without_container_bytes_per_node")) \
                    with linespoints pt 7 ps 0.6 lw 0.4 lc i title word(sallocators, i)." RSS − reference (points)", \
                 x with lines dt 3 lw 1.5 lc rgb "#555555" title "y = x: exactly the request"
            unset logscale y
            set tmargin at screen 0.36
            set bmargin at screen 0.08
            set xlabel (logx ? "requested bytes per node (B/node, log scale)" : "requested bytes per node (B/node)")
            set ylabel "minus the request (B/node)\nline: usable · circles: RSS" font ",14"
            unset key
            plot for [i=1:words(sallocators)] data."/".file \
                    using (strcol("allocator") eq word(sallocators, i) ? cell("requested_bytes_per_node") : NaN):(cell("usable_minus_requested_bytes_per_node")) \
                    with linespoints pt 7 ps 0.5 lw (words(sallocators) - i + 1) * 0.8 lc i notitle, \
                 for [i=1:words(sallocators)] data."/".file \
                    using (strcol("allocator") eq word(sallocators, i) ? cell("requested_bytes_per_node") : NaN):(cell("rss_minus_requested_bytes_per_node")) \
                    with points pt 6 ps 0.8 lc i notitle, \
                 0 with lines dt 3 lw 1.5 lc rgb "#555555" notitle
            unset multiplot
            set ylabel font ",18"
            set key top left box opaque font ",18" maxrows auto
            set lmargin -1
            set rmargin -1
            set tmargin -1
            set bmargin -1
            set autoscale x
            unset logscale
            unset output
        }
    }
}
