# example-epistemic-normalized.gp — draws example-epistemic-normalized.png from example-epistemic-normalized.dat. Re-draw with: cd <this folder> && gnuplot example-epistemic-normalized.gp
set terminal pngcairo size 560,360 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'example-epistemic-normalized.png'
set output outfile
set datafile missing 'NaN'
set title 'epistemic uncertainty (normalized)'
set xlabel 'class'
set ylabel 'epistemic'
set key top right
set grid lc rgb '#dddddd'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set xrange [-0.6:9.6]
plot 'example-epistemic-normalized.dat' index 0 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#1f77b4' title 'MNIST', \
     'example-epistemic-normalized.dat' index 1 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#d62728' title 'notMNIST'
