# LayoutLab: the charts of `layoutlab trend DIR...` (the lab writes OUT/chart-data/trend-*.csv and their titles;
# gnuplot only draws). Run by the lab, or by hand:
#   gnuplot -e "out='/path/to/trend-output'" plot-trend.gnuplot
#   trend-<metric>[-<page>]   x: the results folders in order (their labels), y: the metric in its unit; a line per
#                             configuration (shape, layout, nodes, allocator), each point the geometric mean of the
#                             folder's repetitions with its 95 % interval as whiskers; a thick red ring and the
#                             step's ratio where the step from the previous folder is beyond noise.
# Written to OUT/charts/trend-*.png (1600×1000) and .svg.

if (!exists("out")) out = "."
data = out."/chart-data"
cout = out."/charts"
dummy = system(sprintf("mkdir -p '%s'", cout))
set datafile separator comma
set datafile columnheaders
set grid lc rgb "#dddddd"
cell(name) = strcol(name) eq "" ? NaN : column(name)
charts = system(sprintf("cat '%s/trend-charts.txt' 2>/dev/null", data))
do for [k=1:words(charts) / 2] {
    stem = word(charts, 2 * k - 1)
    logy = word(charts, 2 * k) eq "log"
    file = data."/".stem.".csv"
    ctitle = system(sprintf("cat '%s/%s.txt'", data, stem))
    nseries = int(system(sprintf("wc -l < '%s/%s-series.txt'", data, stem)))
    nfolders = int(system(sprintf("wc -l < '%s/%s-labels.txt'", data, stem)))
    do for [format in "pngcairo svg"] {
        ext = format eq "pngcairo" ? "png" : "svg"
        if (format eq "pngcairo") {
            set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        } else {
            set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        }
        set output sprintf("%s/%s.%s", cout, stem, ext)
        set title ctitle font ",14"
        set xlabel "results folder (in the order given)"
        set ylabel system(sprintf("cat '%s/%s-ylabel.txt'", data, stem)).(logy ? ", log scale" : "")
        unset logscale
        if (logy) { set logscale y }
        set xrange [0.6:nfolders + 0.4]
        set xtics () font ",13" rotate by -20
        do for [i=1:nfolders] {
            label = system(sprintf("sed -n '%dp' '%s/%s-labels.txt'", i, data, stem))
            set xtics add (sprintf("%d: %s", i, label) i)
        }
        set offsets 0, 0, graph 0.08, graph 0.08
        set key outside bottom center horizontal box opaque font ",12" maxrows 3
        set bmargin 9
        plot for [i=1:nseries] file using (column("series") == i ? column("x") : NaN):(cell("geomean")):(cell("ci95_low")):(cell("ci95_high")) \
                with yerrorlines lw 2 pt 7 ps 1 lc i title system(sprintf("sed -n '%dp' '%s/%s-series.txt'", i, data, stem)), \
             file using (column("change") == 1 ? column("x") : NaN):(cell("geomean")) with points pt 6 ps 5 lw 4 lc rgb "#dd0000" title "change beyond noise", \
             file using (column("change") == 1 ? column("x") : NaN):(cell("geomean")):(sprintf("×%.4g", column("step_ratio"))) \
                with labels offset 0,2.2 font ",14" tc rgb "#dd0000" notitle
        unset output
        set bmargin -1
        unset logscale
        set xrange [*:*]
    }
}
