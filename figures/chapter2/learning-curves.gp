# learning-curves.gp — draws learning-curves.png from learning-curves.dat. Re-draw with: cd <this folder> && gnuplot learning-curves.gp
set terminal pngcairo size 760,460 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'learning-curves.png'
set output outfile
set datafile missing 'NaN'
set title 'Validation accuracy, same steps and minibatches for every net'
set xlabel 'training step (batch 128)'
set ylabel 'validation accuracy (%)'
set key bottom right
set grid lc rgb '#dddddd'
set yrange [90.0:100.0]
plot 'learning-curves.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'BBB', \
     'learning-curves.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'LRT', \
     'learning-curves.dat' index 2 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'Flipout', \
     'learning-curves.dat' index 3 using 1:2 with lines lw 2.5 dt 2 lc rgb '#d62728' title 'frequentist'
