# LayoutLab: the comparison charts of named entries (programs, traces), called by plot-programs.gnuplot and
# plot-replay.gnuplot: one chart per line of chart-data/<prefix>-charts.txt (a table's stem, a tab, what it compares),
# each a plot-comparison-bars.gnuplot chart of chart-data/<stem>.csv, subtitled by chart-data/<prefix>.txt. A table
# without rows (an experiment of one allocator) draws nothing. The terminal is the caller's.
#   ARG1 the chart-data folder   ARG2 the prefix   ARG3 the charts folder   ARG4 the file extension   ARG5 what an
#   entry is ("program", "trace")
list_file = sprintf("%s/%s-charts.txt", ARG1, ARG2)
list_stems = system(sprintf("cut -f1 '%s' 2>/dev/null", list_file))
list_subtitle = system(sprintf("cat '%s/%s.txt' 2>/dev/null", ARG1, ARG2))
list_entry = ARG5
do for [list_stem in list_stems] {
    bars_table = sprintf("%s/%s.csv", ARG1, list_stem)
    list_rows = int(system(sprintf("awk 'END { print NR - 1 }' '%s' 2>/dev/null || echo 0", bars_table)))
    if (list_rows > 0) {
        list_what = system(sprintf("awk -F'\t' '$1 == \"%s\" { print $2 }' '%s'", list_stem, list_file))
        list_base = system(sprintf("awk -F, 'NR == 2 { print $6 }' '%s'", bars_table))
        bars_output = sprintf("%s/%s.%s", ARG3, list_stem, ARG4)
        bars_title = sprintf("%s: each %s under each allocator ÷ under %s\nratio of geometric means, 95 %% Welch interval · %s", list_what, list_entry, list_base, list_subtitle)
        bars_ylabel = sprintf("ratio to %s (dashed: 1.0 = equal)", list_base)
        bars_xlabel = sprintf("%s and allocator", list_entry)
        call bars_script bars_table bars_output bars_title bars_ylabel bars_xlabel
        unset output
    }
}
