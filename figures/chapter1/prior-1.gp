# prior-1.gp — draws prior-1.png from prior-1.dat. Re-draw with: cd <this folder> && gnuplot prior-1.gp
set terminal pngcairo size 700,450 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'prior-1.png'
set output outfile
set datafile missing 'NaN'
set title 'prior N(0, 1.0²)'
set xlabel 'x'
set ylabel 'y'
set key bottom center
set grid lc rgb '#dddddd'
set yrange [-40.0:15.0]
plot 'prior-1.dat' index 0 using 1:2:3 with filledcurves fs transparent solid 0.25 noborder fc rgb '#1f77b4' title '95% predictive band', \
     'prior-1.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'predictive mean', \
     'prior-1.dat' index 2 using 1:2 with lines lw 1.0 dt 2 lc rgb '#404040' title 'truth −x⁴ + 3x² + 1', \
     'prior-1.dat' index 3 using 1:2 with points pt 7 ps 1.2 lc rgb '#d62728' title 'training points'
