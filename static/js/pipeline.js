// The pipeline board: drag a card to another column (SortableJS), and htmx posts the move to
// the card's move URL. The server answers with the board re-rendered from the database, so a
// refused move (view-only customer, inactive stage…) puts the card back and says why.
// No inline scripts (CSP): this file is loaded by the board page.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function nextCardId(item) {
    let next = item.nextElementSibling;
    while (next && !next.matches(".pipeline-card")) next = next.nextElementSibling;
    return next ? next.dataset.id : "";
  }

  function postMove(event) {
    const item = event.item;
    if (event.from === event.to && event.oldDraggableIndex === event.newDraggableIndex) return;
    const board = document.getElementById("pipeline-board");
    htmx.ajax("POST", item.dataset.moveUrl, {
      source: board,
      target: "#pipeline-board",
      swap: "outerHTML",
      headers: { "X-CSRFToken": csrfToken() },
      values: {
        stage: event.to.dataset.stage,
        position: event.newDraggableIndex,
        before: nextCardId(item),
        board_owner: board.dataset.boardOwner || "",
      },
    });
  }

  function initBoard(root) {
    root.querySelectorAll(".pipeline-cards").forEach((list) => {
      if (list.dataset.sortableReady) return;
      list.dataset.sortableReady = "true";
      Sortable.create(list, {
        group: { name: "pipeline", put: list.dataset.accepts !== "false" },
        draggable: ".pipeline-card",
        filter: ".pipeline-card-locked, select, option, button",
        preventOnFilter: false,
        animation: 150,
        delay: 150,
        delayOnTouchOnly: true,
        onEnd: postMove,
      });
    });
  }

  // A refused move is answered 400/403/404 with the board as it really is: show it anyway.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && target.id === "pipeline-board" && [400, 403, 404].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  htmx.onLoad(initBoard);
})();
