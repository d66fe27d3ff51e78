# LayoutLab: RSS over a trace replay (loaded by plot.gnuplot, which defines `results`, `rows`, `distinct`,
# `cell`, `nothing`, `scripts` and `bars_script`; the lab writes chart-data/replay-rss.csv and .txt only for an
# experiment with "traces").
#   replay-rss   a panel per trace: RSS (MiB) against events replayed, a line per allocator (its median
#                repetition by largest RSS, named in the key). No line of live requested bytes: the samples do
#                not carry them.
#   replay-comparison-usable, -rss, -ns   each trace under each allocator ÷ under the first: live usable bytes and
#                RSS growth (above the replay's baseline) at the trace's peak, replay ns per event (plot-comparison-list.gnuplot, as the lab lists them).
# Written to DIR/charts/replay-rss.png and .svg (and the comparisons').

if (system(sprintf("test -f '%s/chart-data/replay-rss.csv' && echo found", results)) eq "found") {
    data = results."/chart-data"
    rout = results."/charts"
    dummy = system(sprintf("mkdir -p '%s'", rout))
    rtitle = system(sprintf("cat '%s/replay-rss.txt'", data))
    rtraces = distinct("replay-rss.csv", "trace")
    rallocators = distinct("replay-rss.csv", "allocator")
    # The repetition drawn for trace t, allocator a (for the key).
    drawn(t, a) = system(sprintf("awk -F, '$1 == \"%s\" && $3 == \"%s\" { print $4; exit }' '%s/replay-rss.csv'", t, a, data))
    do for [format in "pngcairo svg"] {
        ext = format eq "pngcairo" ? "png" : "svg"
        if (format eq "pngcairo") {
            set terminal pngcairo size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        } else {
            set terminal svg size 1600,1000 font "Sans,18" linewidth 2 noenhanced
        }
        set output sprintf("%s/replay-rss.%s", rout, ext)
        unset logscale
        set xlabel "events replayed"
        set ylabel "RSS (MiB)"
        set format x "%.1s%c"
        set key top left inside vertical box opaque font ",15"
        if (rows("replay-rss.csv") == 0) {
            set title sprintf("RSS over the replay\n%s", rtitle)
            eval nothing("no successful replay to draw")
        } else {
            set multiplot layout words(rtraces),1 title sprintf("RSS over the replay of each trace (a line per allocator: its median repetition by largest RSS)\nRSS holds the worker's tables of the trace from the baseline on: 56 B/event, 80 for a multi-thread trace\n%s", rtitle) font ",16"
            do for [t=1:words(rtraces)] {
                trace = word(rtraces, t)
                set title sprintf("trace %s", trace) font ",15"
                if (t < words(rtraces)) { set xlabel "" } else { set xlabel "events replayed" }
                plot for [a=1:words(rallocators)] data."/replay-rss.csv" \
                        using (strcol("trace") eq trace && strcol("allocator") eq word(rallocators, a) ? column("events") : NaN):(cell("rss_mib")) \
                        with linespoints pt 7 ps 0.6 lc a \
                        title (drawn(trace, word(rallocators, a)) eq "" ? "" : sprintf("%s (r%s)", word(rallocators, a), drawn(trace, word(rallocators, a))))
            }
            unset multiplot
            set title font ",16"
        }
        set format x "% h"
        set key top left inside vertical box opaque font ",18"
        unset output
        list_script = scripts."/plot-comparison-list.gnuplot"
        list_entry_word = "trace"
        list_prefix = "replay-comparison"
        call list_script data list_prefix rout ext list_entry_word
    }
}
