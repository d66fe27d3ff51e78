# LayoutLab: where the requested sizes of a shape with length distributions fall among the allocator's size
# classes (loaded by plot.gnuplot, which defines `results`, `rows`, `distinct` and `cell`; the lab writes
# chart-data/<shape>/size-classes-*.csv from allocation-sizes.csv, gnuplot only draws).
#   size-classes-<layout>   a panel per allocator: bars, the blocks of each requested size in the probe (left
#                           axis; the colour alternates from one size class to the next); red, each class's
#                           rounding waste Σ blocks × (usable − requested) ÷ probe nodes (B/node, right axis),
#                           drawn from the class's smallest request to its size (▲, labelled in bytes).
# Written to DIR/charts/size-classes-<layout>.png and .svg (DIR/charts/<shape>/ with several shapes).

sizeShapes = system(sprintf("cat '%s/chart-data/shapes.txt' 2>/dev/null", results))
if (strlen(sizeShapes) == 0) { sizeShapes = "." }
do for [sub in sizeShapes] {
    data = results."/chart-data/".sub
    if (sub ne "-" && rows("size-classes-summary.csv") > 0) {
        cout = results."/charts/".sub
        dummy = system(sprintf("mkdir -p '%s'", cout))
        subtitle = system(sprintf("cat '%s/subtitle.txt'", data))
        titleLines = int(system(sprintf("wc -l < '%s/subtitle.txt'", data))) + 1
        clayouts = distinct("size-classes-summary.csv", "layout")
        do for [format in "pngcairo svg"] {
            ext = format eq "pngcairo" ? "png" : "svg"
            if (format eq "pngcairo") {
                set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
            } else {
                set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
            }
            do for [layout in clayouts] {
                set output sprintf("%s/size-classes-%s.%s", cout, layout, ext)
                panels = system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" { printf \"%%s \", $2 }' '%s/size-classes-summary.csv'", layout, data))
                n = words(panels)
                lo = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && (m == \"\" || $4 < m) { m = $4 } END { print m }' '%s/size-classes-requests.csv'", layout, data)))
                # Up to the largest class size, so that the last class's waste segment is drawn whole.
                hi = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" { if ($4 > m) m = $4; if ($6 != \"\" && $6 + 0 > m) m = $6 + 0 } END { print m }' '%s/size-classes-requests.csv'", layout, data)))
                unset logscale
                if (lo > 0 && hi / lo >= 8) { set logscale x 2 }
                set xrange [lo * 0.9:hi * 1.08]
                set multiplot title sprintf("Where the requested sizes fall among the allocator's size classes — %s\nbars: blocks per requested size, colour alternating per size class · red: each class's waste Σ (usable − requested) ÷ probe nodes\n%s", layout, subtitle) font ",15"
                top = 1.0 - 0.028 * (titleLines + 1) - 0.02
                height = (top - 0.07) / n
                set lmargin at screen 0.09
                set rmargin at screen 0.91
                set ytics nomirror font ",13"
                set y2tics font ",13" textcolor rgb "#cc3311"
                set xtics font ",13"
                set key off
                # Counts that span a factor of 10 or more (the node's own object against one string length) on a log scale.
                cmin = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && (m == \"\" || $5 < m) { m = $5 } END { print m }' '%s/size-classes-requests.csv'", layout, data)))
                cmax = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && $5 > m { m = $5 } END { print m }' '%s/size-classes-requests.csv'", layout, data)))
                logy = cmin > 0 && cmax / cmin >= 10
                if (logy) { set logscale y 10; set yrange [cmin / 2:cmax * 2] } else { set yrange [0:cmax * 1.1] }
                wmax = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && $10 != \"\" && $10 > m { m = $10 } END { print m + 0 }' '%s/size-classes-classes.csv'", layout, data)))
                if (wmax > 0) { set y2range [0:wmax * 1.25] } else { set y2range [0:1] }
                do for [i=1:n] {
                    allocator = word(panels, i)
                    set tmargin at screen top - (i - 1) * height - 0.035
                    set bmargin at screen top - i * height + 0.045
                    set title system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && $2 == \"%s\" { print $NF }' '%s/size-classes-summary.csv'", layout, allocator, data)) font ",14"
                    set xlabel (i == n ? (lo > 0 && hi / lo >= 8 ? "requested bytes of one allocation (B, log scale)" : "requested bytes of one allocation (B)") : "") font ",14"
                    set ylabel (logy ? "blocks (log scale)" : "blocks") font ",13"
                    set y2label "waste (B/node)" font ",13" textcolor rgb "#cc3311"
                    classes = int(system(sprintf("awk -F, 'NR > 1 && $1 == \"%s\" && $2 == \"%s\"' '%s/size-classes-classes.csv' | wc -l", layout, allocator, data)))
                    plot data."/size-classes-requests.csv" \
                            using (strcol("layout") eq layout && strcol("allocator") eq allocator ? column("requested_bytes") : NaN):(column("allocations")): \
                                  (strcol("class_index") eq "" ? 0xbbbbbb : (int(column("class_index")) % 2 == 1 ? 0x4477aa : 0x88ccee)) \
                            with impulses lw 4 lc rgb variable notitle, \
                         data."/size-classes-classes.csv" \
                            using (strcol("layout") eq layout && strcol("allocator") eq allocator ? column("lowest_requested_bytes") : NaN):(cell("waste_bytes_per_node")): \
                                  (column("usable_bytes") - column("lowest_requested_bytes")):(0) \
                            axes x1y2 with vectors nohead lw 3 lc rgb "#cc3311" notitle, \
                         data."/size-classes-classes.csv" \
                            using (strcol("layout") eq layout && strcol("allocator") eq allocator ? column("usable_bytes") : NaN):(cell("waste_bytes_per_node")) \
                            axes x1y2 with points pt 9 ps 1.3 lc rgb "#cc3311" notitle, \
                         data."/size-classes-classes.csv" \
                            using (strcol("layout") eq layout && strcol("allocator") eq allocator && classes <= 24 ? column("usable_bytes") : NaN):(cell("waste_bytes_per_node")):(sprintf("%.0f B", column("usable_bytes"))) \
                            axes x1y2 with labels offset 0,0.8 font ",11" textcolor rgb "#cc3311" notitle
                }
                unset multiplot
                set lmargin -1
                set rmargin -1
                set tmargin -1
                set bmargin -1
                unset y2tics
                unset y2label
                set ytics mirror font ",18"
                set xtics font ",18"
                set title offset 0,0
                set xrange [*:*]
                set yrange [*:*]
                set y2range [*:*]
                set key top left box opaque font ",18"
                unset logscale
                unset output
            }
        }
    }
}
