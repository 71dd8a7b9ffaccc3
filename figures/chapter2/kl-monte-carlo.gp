# kl-monte-carlo.gp — draws kl-monte-carlo.png from kl-monte-carlo.dat. Re-draw with: cd <this folder> && gnuplot kl-monte-carlo.gp
set terminal pngcairo size 760,460 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'kl-monte-carlo.png'
set output outfile
set datafile missing 'NaN'
set title 'KL(q ‖ p) of the trained fc1 layer: closed form vs S-sample Monte Carlo'
set xlabel 'Monte Carlo samples S (log scale)'
set ylabel 'KL (nats)'
set key top right
set grid lc rgb '#dddddd'
set logscale x 10.0
set xrange [0.7:280.0]
plot 'kl-monte-carlo.dat' index 0 using 1:2 with lines lw 1.5 dt 2 lc rgb '#404040' title 'closed form', \
     'kl-monte-carlo.dat' index 1 using 1:2:3 with yerrorbars pt 7 ps 0.6 lc rgb '#d62728' title 'Monte Carlo: mean ± sd over 50 estimates'
