# LayoutLab charts from one results folder (the CSV files the lab writes; no statistics done here).
#   gnuplot -e "results='results/default/latest'" plot.gnuplot
# Writes into that folder, as PNG (1600×1000) and SVG:
#   growth-<allocator>.*   RSS (MiB) against nodes alive during allocate, one line per layout (repetition 1,
#                          first shape, largest node count); dashed: the allocator's own allocated bytes.
#   bytes-per-node.*       median RSS bytes per node by layout and allocator, min–max whiskers over the
#                          repetitions (first shape, largest node count), log scale.

if (!exists("results")) results = "results/default/latest"
trials = results."/trials.csv"
samples = results."/samples.csv"
pernode = results."/per-node.csv"
environment = results."/environment.json"

# Distinct values of a trials.csv column, in first-seen order, as a space-separated word list.
distinct(name) = system(sprintf("awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i==\"%s\") k=i; next} !seen[$k]++{printf \"%%s \", $k}' %s", name, trials))
json(key) = system(sprintf("sed -n 's/^ *\"%s\" : \"\\(.*\\)\",*$/\\1/p' %s | head -1", key, environment))

layouts = distinct("layout")
allocators = distinct("allocator")
experiment = word(distinct("experiment"), 1)
shape = word(distinct("shape"), 1)
fields = word(distinct("fields"), 1)
nodes = system(sprintf("awk -F, 'NR>1 && $1==\"%s\" {print $3}' %s | sort -n | tail -1", shape, pernode))
versions = system(sprintf("sed -n 's/^ *\"label\" : \"\\(.*\\)\",*$/\\1/p' %s | paste -sd, | sed 's/,/, /g'", environment))
machine = sprintf("%s, %s cores, %s", json("cpu_model"), system(sprintf("sed -n 's/^ *\"online_cores\" : \\([0-9]*\\).*/\\1/p' %s", environment)), json("kernel"))
subtitle = sprintf("%s · shape %s (%s) · %s nodes\n%s · %s", experiment, shape, fields, nodes, versions, machine)

set datafile separator comma
set datafile columnheaders
set grid lc rgb "#dddddd"
set key top left box opaque
trial(layout, allocator) = sprintf("%s.%s.%s.%s.r1", shape, layout, nodes, allocator)

do for [format in "pngcairo svg"] {
    ext = format eq "pngcairo" ? "png" : "svg"
    if (format eq "pngcairo") { set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced } else { set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced }

    # 1. Growth during allocate.
    do for [allocator in allocators] {
        set output sprintf("%s/growth-%s.%s", results, allocator, ext)
        set title sprintf("Resident memory while nodes are allocated — %s\n%s", allocator, subtitle)
        set xlabel "nodes alive (millions)"
        set ylabel "RSS (MiB); dashed: allocator's allocated bytes (MiB)"
        unset logscale
        plot for [i=1:words(layouts)] samples \
                using (strcol("trial_id") eq trial(word(layouts, i), allocator) ? column("nodes_alive")/1e6 : NaN):(column("rss_bytes")/1048576.0) \
                with linespoints pt 7 ps 0.6 lc i title word(layouts, i), \
             for [i=1:words(layouts)] samples \
                using (strcol("trial_id") eq trial(word(layouts, i), allocator) ? column("nodes_alive")/1e6 : NaN):(column("allocator_allocated_bytes")/1048576.0) \
                with lines dt 2 lc i notitle
    }

    # 2. Bytes per node by layout and allocator.
    set output sprintf("%s/bytes-per-node.%s", results, ext)
    set title sprintf("Bytes per node: RSS growth ÷ nodes (median, min–max over repetitions)\n%s", subtitle)
    set xlabel "layout"
    set ylabel "RSS bytes per node (B/node, log scale)"
    set logscale y 2
    set yrange [4:*]
    set style fill solid 0.8 border -1
    n = words(allocators)
    width = 0.8 / n
    set xtics () 
    set for [i=1:words(layouts)] xtics add (word(layouts, i) i)
    set xrange [0.4:words(layouts) + 0.6]
    selected(a) = (strcol("shape") eq shape && strcol("nodes") eq nodes && column("allocator_index") == a)
    x(a) = column("layout_index") + (a - (n + 1) / 2.0) * width
    plot for [a=1:n] pernode using (selected(a) ? x(a) : NaN):(column("rss_bytes_per_node_median")):(width) \
            with boxes lc a title word(allocators, a), \
         for [a=1:n] pernode using (selected(a) ? x(a) : NaN):(column("rss_bytes_per_node_median")):(column("rss_bytes_per_node_min")):(column("rss_bytes_per_node_max")) \
            with yerrorbars lc rgb "black" pt -1 notitle, \
         for [a=1:n] pernode using (selected(a) ? x(a) : NaN):(column("rss_bytes_per_node_median")):(sprintf("%.1f", column("rss_bytes_per_node_median"))) \
            with labels offset 0,0.8 font ",14" notitle
    unset logscale
    set yrange [*:*]
    set xtics autofreq
    set xrange [*:*]
    unset output
}
