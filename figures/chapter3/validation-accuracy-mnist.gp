# validation-accuracy-mnist.gp — draws validation-accuracy-mnist.png from validation-accuracy-mnist.dat. Re-draw with: cd <this folder> && gnuplot validation-accuracy-mnist.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'validation-accuracy-mnist.png'
set output outfile
set datafile missing 'NaN'
set title 'MNIST: validation accuracy per epoch'
set xlabel 'epoch'
set ylabel 'validation accuracy (%)'
set key bottom right
set grid lc rgb '#dddddd'
plot 'validation-accuracy-mnist.dat' index 0 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian LeNet-5', \
     'validation-accuracy-mnist.dat' index 1 using 1:2 with lines lw 2.0 dt 2 lc rgb '#ff7f0e' title 'frequentist LeNet-5', \
     'validation-accuracy-mnist.dat' index 2 using 1:2 with lines lw 2.0 lc rgb '#2ca02c' title 'Bayesian AlexNet', \
     'validation-accuracy-mnist.dat' index 3 using 1:2 with lines lw 2.0 dt 2 lc rgb '#d62728' title 'frequentist AlexNet'
