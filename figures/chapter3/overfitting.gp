# overfitting.gp — draws overfitting.png from overfitting.dat. Re-draw with: cd <this folder> && gnuplot overfitting.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'overfitting.png'
set output outfile
set datafile missing 'NaN'
set title 'AlexNet on CIFAR-10: training vs validation accuracy'
set xlabel 'epoch'
set ylabel 'accuracy (%)'
set key bottom right
set grid lc rgb '#dddddd'
plot 'overfitting.dat' index 0 using 1:2 with lines lw 2.0 dt 2 lc rgb '#1f77b4' title 'Bayesian, training', \
     'overfitting.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian, validation', \
     'overfitting.dat' index 2 using 1:2 with lines lw 2.0 dt 2 lc rgb '#ff7f0e' title 'frequentist, training', \
     'overfitting.dat' index 3 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'frequentist, validation'
