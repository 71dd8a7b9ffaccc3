# step-time.gp — draws step-time.png from step-time.dat. Re-draw with: cd <this folder> && gnuplot step-time.gp
set terminal pngcairo size 640,420 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'step-time.png'
set output outfile
set datafile missing 'NaN'
set title 'Time per training step (median), batch 128, 1 sample'
set ylabel 'milliseconds per step'
unset key
set grid lc rgb '#dddddd'
set yrange [0.0:26.215440249999997]
set xtics ('BBB' 0, 'LRT' 1, 'Flipout' 2, 'frequentist' 3)
set xrange [-0.6:3.6]
plot 'step-time.dat' index 0 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#1f77b4' title 'ms per step'
