# regression-lrt.gp — draws regression-lrt.png from regression-lrt.dat. Re-draw with: cd <this folder> && gnuplot regression-lrt.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'regression-lrt.png'
set output outfile
set datafile missing 'NaN'
set title 'Local reparameterization'
set xlabel 'x'
set ylabel 'y'
set key bottom center
set grid lc rgb '#dddddd'
set yrange [-40.0:15.0]
plot 'regression-lrt.dat' index 0 using 1:2:3 with filledcurves fs transparent solid 0.25 noborder fc rgb '#1f77b4' title '95% predictive band', \
     'regression-lrt.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'predictive mean', \
     'regression-lrt.dat' index 2 using 1:2 with lines lw 1.0 dt 2 lc rgb '#404040' title 'truth −x⁴ + 3x² + 1', \
     'regression-lrt.dat' index 3 using 1:2 with points pt 7 ps 1.2 lc rgb '#d62728' title 'training points'
