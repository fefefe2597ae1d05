// Clicking a [n] marker scrolls the sources panel to passage n and highlights it (unfolding earlier turns).
document.addEventListener('click', function (event) {
  var link = event.target.closest && event.target.closest('a.cite');
  if (!link) return;
  var id = (link.getAttribute('href') || '').replace('#', '');
  var card = document.getElementById(id);
  if (!card) return;
  event.preventDefault();
  event.stopPropagation();
  for (var d = card.parentElement; d; d = d.parentElement) { if (d.tagName === 'DETAILS') d.open = true; }
  document.querySelectorAll('.passage.active').forEach(function (el) { el.classList.remove('active'); });
  card.classList.add('active');
  card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
}, true);
