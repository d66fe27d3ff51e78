# LayoutLab: one comparison bar chart, loaded with `call` by plot.gnuplot (comparison-rss, -ns, -runs-*) and by
# plot-comparison-list.gnuplot (program-comparison-*, replay-comparison-*): a bar per row of a comparison table (columns x, label, ratio, ci_low,
# ci_high, ...), its 95 % interval as a whisker (none where those cells are empty: fewer than two repetitions a side,
# and the label says "n < 2"), its ratio above it, and the dashed 1.0 line. The terminal is the caller's.
#   ARG1 the table's path   ARG2 the output's path   ARG3 the title   ARG4 the y label (saying what 1.0 is: the
#   dashed line has no key, which would cover bars)   ARG5 the x label
# Uses plot.gnuplot's `cell` and `nothing`.
crows = int(system(sprintf("awk 'END { print NR - 1 }' '%s' 2>/dev/null || echo 0", ARG1)))
set output ARG2
set title ARG3
set ylabel ARG4
set xlabel ARG5
set xtics () rotate by -35 font ",13"
do for [i=1:crows] {
    clabel = system(sprintf("awk -F, 'NR == %d { print $2 }' '%s'", i + 1, ARG1))
    set xtics add (clabel i)
}
set xrange [0.4:crows + 0.6]
set yrange [0:*]
unset key
set offsets 0, 0, graph 0.1, 0
# Rows with a ratio (a row without one, "no ok trial", keeps its place and label, with no bar).
cbars = int(system(sprintf("awk -F, 'NR > 1 && $3 != \"\"' '%s' | wc -l", ARG1)))
if (cbars == 0) {
    unset xtics
    eval nothing("no pair has a successful trial on both sides")
    set xtics
} else {
    plot ARG1 using (column("x")):(cell("ratio")):(0.6) with boxes lc rgb "#4477aa" notitle, \
         ARG1 using (column("x")):(cell("ratio")):(cell("ci_low")):(cell("ci_high")) with yerrorbars lc rgb "black" pt -1 notitle, \
         ARG1 using (column("x")):(strcol("ci_high") eq "" ? cell("ratio") : column("ci_high")):(sprintf(strcol("ci_high") eq "" ? "%.3f (n < 2)" : "%.3f", cell("ratio"))) with labels offset 0,0.8 font ",13" notitle, \
         1 with lines dt 2 lc rgb "#cc3311" notitle
}
set key top left
set offsets 0, 0, 0, 0
set xtics norotate autofreq font ",18"
set xrange [*:*]
set yrange [*:*]
