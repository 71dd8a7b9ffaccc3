# validation-accuracy-cifar10.gp — draws validation-accuracy-cifar10.png from validation-accuracy-cifar10.dat. Re-draw with: cd <this folder> && gnuplot validation-accuracy-cifar10.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'validation-accuracy-cifar10.png'
set output outfile
set datafile missing 'NaN'
set title 'CIFAR-10: validation accuracy per epoch'
set xlabel 'epoch'
set ylabel 'validation accuracy (%)'
set key bottom right
set grid lc rgb '#dddddd'
plot 'validation-accuracy-cifar10.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian LeNet-5', \
     'validation-accuracy-cifar10.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#ff7f0e' title 'frequentist LeNet-5', \
     'validation-accuracy-cifar10.dat' index 2 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'Bayesian AlexNet', \
     'validation-accuracy-cifar10.dat' index 3 using 1:2 with lines lw 2.0 dt 2 lc rgb '#d62728' title 'frequentist AlexNet'
