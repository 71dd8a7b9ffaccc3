# reliability-cifar10.gp — draws reliability-cifar10.png from reliability-cifar10.dat. Re-draw with: cd <this folder> && gnuplot reliability-cifar10.gp
set terminal pngcairo size 560,420 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'reliability-cifar10.png'
set output outfile
set datafile missing 'NaN'
set title 'CIFAR-10: reliability diagram (15 bins)'
set xlabel 'confidence max_c p̄_c'
set ylabel 'accuracy'
set key top left
set grid lc rgb '#dddddd'
set xrange [0.0:1.0]
set yrange [0.0:1.0]
plot 'reliability-cifar10.dat' index 0 using 1:2 with lines lw 1.0 dt 2 lc rgb '#808080' title 'perfect calibration', \
     'reliability-cifar10.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian (T = 12)', \
     'reliability-cifar10.dat' index 2 using 1:2 with points pt 7 ps 0.8 lc rgb '#1f77b4' notitle, \
     'reliability-cifar10.dat' index 3 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'frequentist', \
     'reliability-cifar10.dat' index 4 using 1:2 with points pt 7 ps 0.8 lc rgb '#ff7f0e' notitle
