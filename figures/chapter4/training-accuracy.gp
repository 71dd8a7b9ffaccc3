# training-accuracy.gp — draws training-accuracy.png from training-accuracy.dat. Re-draw with: cd <this folder> && gnuplot training-accuracy.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'training-accuracy.png'
set output outfile
set datafile missing 'NaN'
set title 'Validation accuracy of the predictive after each epoch'
set xlabel 'epoch'
set ylabel 'accuracy (%)'
set key bottom right
set grid lc rgb '#dddddd'
plot 'training-accuracy.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'MNIST, Bayesian', \
     'training-accuracy.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#1f77b4' title 'MNIST, frequentist', \
     'training-accuracy.dat' index 2 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'CIFAR-10, Bayesian', \
     'training-accuracy.dat' index 3 using 1:2 with lines lw 2.0 dt 2 lc rgb '#2ca02c' title 'CIFAR-10, frequentist'
