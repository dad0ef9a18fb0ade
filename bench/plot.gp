# Added cost per SYN against N, one panel per kernel; called by report.py:
#   gnuplot -e "datadir='D'; out='F.png'; term='pngcairo'; nk=K; \
#       nseries=S; kernels='K1 K2'; cap=256" plot.gp
# D/kI-sJ.dat: a header line (n "title" lo hi), then "N median q1 q3".
if (term eq 'pngcairo') {
	set terminal pngcairo size 720*nk,640 font 'sans,10'
} else {
	set terminal png size 720*nk,640
}
set output out
if (!exists('ttl')) ttl = 'Added cost per SYN over no rule (QEMU TCG guest: only ratios transfer)'
if (!exists('ylab')) ylab = 'added ns per SYN (median, bars: IQR)'
set multiplot layout 1,nk title ttl
set logscale xy
set xrange [0.8:cap*1.25]
set xtics (1, 16, 64, 256)
set xlabel "N (prefixes / rules / map elements)"
set ylabel ylab
set grid
set key below maxrows 3 font ',9' spacing 1.1 width -2
set style data yerrorlines
# VPNMSS legacy/nft, nft map, TCPMSS chains, then the two N-independent
# single TCPMSS rules dashed.
set style line 1 lc rgb '#1f77b4' lw 2.5 pt 7
set style line 2 lc rgb '#17becf' lw 2.5 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set style line 4 lc rgb '#d62728' lw 2 pt 11
set style line 5 lc rgb '#ff7f0e' lw 2 pt 13
set style line 6 lc rgb '#7f7f7f' lw 1.5 pt 1 dt 2
set style line 7 lc rgb '#8c564b' lw 1.5 pt 2 dt 2
do for [k=1:nk] {
	set title word(kernels, k)
	plot for [s=1:nseries] sprintf('%s/k%d-s%d.dat', datadir, k, s) \
		using 1:2:3:4 title columnheader(2) ls s
}
unset multiplot
