# LayoutLab: RSS over time of each program of a "programs" experiment (loaded by plot.gnuplot, which defines
# `results`, `rows`, `distinct`, `cell`, `nothing`, `scripts` and `bars_script`; the lab writes chart-data/program-rss.csv
# and .txt, gnuplot only draws).
#   program-rss   a panel per program: the program's RSS (MiB, statm) against seconds since it started, a line per
#                 allocator (its median repetition by peak RSS, ru_maxrss); dashed, in the same colour, the allocator's
#                 own allocated bytes read by the agent inside the program (where the table has them); dotted, the
#                 RSS of the program's process tree (programs with more than one process). An empty cell breaks a
#                 line; each kind's rows are contiguous per trial.
#   program-comparison-peak, program-comparison-wall
#                 each program under each allocator ÷ the same program under the first allocator: peak RSS
#                 (ru_maxrss) and wall time, ratio of geometric means with its 95 % Welch interval (no whisker
#                 without one), as the node experiments' comparison charts.
# Written to DIR/charts/program-rss.png and .svg (and the comparisons'); nothing without the table (an experiment
# without programs).

pdata = results."/chart-data"
if (system(sprintf("test -f '%s/program-rss.csv' && echo found", pdata)) eq "found") {
    pout = results."/charts"
    dummy = system(sprintf("mkdir -p '%s'", pout))
    ptitle = system(sprintf("cat '%s/program-rss.txt'", pdata))
    pcount = int(system(sprintf("awk 'END { print NR - 1 }' '%s/program-rss.csv'", pdata)))
    pprograms = system(sprintf("awk -F, 'NR > 1 && !seen[$1]++ { printf \"%%s \", $1 }' '%s/program-rss.csv'", pdata))
    pallocators = system(sprintf("awk -F, 'NR > 1 && !seen[$2]++ { printf \"%%s \", $2 }' '%s/program-rss.csv'", pdata))
    do for [format in "pngcairo svg"] {
        ext = format eq "pngcairo" ? "png" : "svg"
        if (format eq "pngcairo") {
            set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        } else {
            set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        }
        set output sprintf("%s/program-rss.%s", pout, ext)
        unset logscale
        if (pcount <= 0) {
            set title sprintf("RSS over time per allocator\n%s", ptitle)
            eval nothing("no successful program trial to draw")
        } else {
            set multiplot layout words(pprograms),1 title sprintf("RSS over time per allocator (solid): the program's own process (statm of its pid)\n%s", ptitle) font ",16"
            set ylabel "MiB" font ",15"
            set key outside right vertical font ",14"
            set ytics font ",12"
            set yrange [0:*]
            do for [p=1:words(pprograms)] {
                set title word(pprograms, p) font ",15"
                if (p < words(pprograms)) { set xlabel "" } else { set xlabel "seconds since the program started" }
                plot for [a=1:words(pallocators)] pdata."/program-rss.csv" \
                        using (strcol("program") eq word(pprograms, p) && strcol("allocator") eq word(pallocators, a) ? column("seconds") : NaN):(cell("rss_mib")) \
                        with lines lw 2 lc a title word(pallocators, a), \
                     for [a=1:words(pallocators)] pdata."/program-rss.csv" \
                        using (strcol("program") eq word(pprograms, p) && strcol("allocator") eq word(pallocators, a) ? column("seconds") : NaN):(cell("allocated_mib")) \
                        with linespoints dt 2 pt 7 ps 0.6 lw 1.5 lc a notitle, \
                     for [a=1:words(pallocators)] pdata."/program-rss.csv" \
                        using (strcol("program") eq word(pprograms, p) && strcol("allocator") eq word(pallocators, a) ? column("seconds") : NaN):(cell("tree_rss_mib")) \
                        with lines dt 3 lw 2 lc a notitle
            }
            unset multiplot
            set title font ",16"
            set ylabel font ",18"
            set ytics autofreq font ",18"
            set yrange [*:*]
            set key top left inside vertical font ",18"
        }
        unset output
        # The comparisons with the first allocator (program-comparison-*), as listed by the lab.
        list_script = scripts."/plot-comparison-list.gnuplot"
        list_entry_word = "program"
        list_prefix = "program-comparison"
        call list_script pdata list_prefix pout ext list_entry_word
    }
}
